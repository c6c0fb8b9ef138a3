/** The message of an unknown thrown value, for error texts. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/**
 * `error` itself when it is an `Error`, else a new `Kind` (default `Error`) carrying its
 * {@link messageOf} text: what a rejection handler can put in an event or a `cause`.
 */
export function asError(error: unknown, Kind: new (message: string) => Error = Error): Error {
  return error instanceof Error ? error : new Kind(messageOf(error))
}
