/** The engine's default `callbackTimeoutMs` (milliseconds), as in `@zmq-auth/core`. */
export const DEFAULT_CALLBACK_TIMEOUT_MS = 5000

/**
 * Milliseconds `process.exit()` on the main thread is held up at most while the worker closes
 * its ZAP socket (a worker torn down with a socket still receiving aborts the process).
 */
export const EXIT_WAIT_MS = 2000

/** Milliseconds `stop()` waits for the worker beyond the callback timeout before terminating it. */
export const STOP_GRACE_MS = 5000
