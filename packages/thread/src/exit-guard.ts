import { AuthenticatorError } from "@zmq-auth/core"

/** What `process.exit()` accepts. */
export type ExitCode = Parameters<typeof process.exit>[0]

/**
 * Replaces `process.exit` of the worker thread, so a custom module that calls it cannot end the
 * thread with its ZAP socket still open (zeromq.js then aborts the whole process). The
 * replacement hands the exit code to `exitCleanly` (which closes the socket, then ends the
 * thread with the returned original `process.exit`) and throws an `AuthenticatorError`, so the
 * caller does not run on as if the thread had ended: a decision in progress is denied with 500.
 *
 * @returns The original `process.exit`, bound to `process`.
 */
export function guardProcessExit(
  exitCleanly: (code: ExitCode, error: AuthenticatorError) => void
): (code?: ExitCode) => never {
  const exit = process.exit.bind(process)
  process.exit = (code?: ExitCode): never => {
    const shown = code === undefined || code === null ? "" : String(code)
    const error = new AuthenticatorError(
      `process.exit(${shown}) was called in the worker thread: it ends once its ZAP socket is closed`
    )
    exitCleanly(code ?? process.exitCode, error)
    throw error
  }
  return exit
}
