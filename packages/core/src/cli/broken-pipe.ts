/** Whether `error` is the failure of a write to a pipe whose reader has gone (`zmq-auth list | head -1`). */
export function isBrokenPipe(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null | undefined)?.code === "EPIPE"
}

/**
 * Ends the CLI quietly when the reader of its output goes away, instead of with Node's
 * "Unhandled 'error' event" stack trace. Node ignores SIGPIPE, so such a write fails with EPIPE,
 * emitted as an `error` event on the stream.
 *
 * Standard output closed: the reader (`head`, a pager) has all it wanted, so the process exits at
 * once with code 0, not with the 141 a shell reports for a process killed by SIGPIPE: pipelines
 * under `set -o pipefail` do not fail because `head` stopped reading early.
 * Standard error closed: the message is lost, the exit code stays the command's.
 */
export function handleBrokenPipes(): void {
  process.stdout.on("error", (error) => {
    if (!isBrokenPipe(error)) throw error
    process.exit(0)
  })
  process.stderr.on("error", (error) => {
    if (!isBrokenPipe(error)) throw error
  })
}
