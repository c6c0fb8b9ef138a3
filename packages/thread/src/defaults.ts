/**
 * Milliseconds `process.exit()` on the main thread is held up at most while the worker closes
 * its ZAP socket (a worker torn down with a socket still receiving aborts the process).
 */
export const EXIT_WAIT_MS = 2000

/** Milliseconds `stop()` waits for the worker beyond the callback timeout before terminating it. */
export const STOP_GRACE_MS = 5000
