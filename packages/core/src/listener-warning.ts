import { messageOf } from "./error-text.js"

/**
 * Reports that a zmq-auth `label` listener threw (it must not) as the process warning
 * "a zmq-auth `label` listener threw: ...".
 */
export function warnListenerThrew(label: string, error: unknown): void {
  process.emitWarning(`a zmq-auth ${label} listener threw: ${messageOf(error)}`)
}

/**
 * Calls an event listener (through `call`); one that throws (it must not) is reported as the
 * process warning "a zmq-auth `label` listener threw: ..." instead.
 */
export function callListener(label: string, call: () => unknown): void {
  try {
    call()
  } catch (error) {
    warnListenerThrew(label, error)
  }
}
