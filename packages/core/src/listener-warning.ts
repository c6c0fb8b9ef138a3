import { messageOf } from "./error-text.js"

/**
 * Calls an event listener (through `call`); one that throws (it must not) is reported as the
 * process warning "a zmq-auth `label` listener threw: ..." instead. False when it threw.
 */
export function callListener(label: string, call: () => unknown): boolean {
  try {
    call()
    return true
  } catch (error) {
    process.emitWarning(`a zmq-auth ${label} listener threw: ${messageOf(error)}`)
    return false
  }
}
