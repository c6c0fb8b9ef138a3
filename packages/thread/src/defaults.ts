/** The engine's default `callbackTimeoutMs` (milliseconds), as in `@zmq-auth/core`. */
export const DEFAULT_CALLBACK_TIMEOUT_MS = 5000

/** Milliseconds `stop()` waits for the worker beyond the callback timeout before terminating it. */
export const STOP_GRACE_MS = 5000
