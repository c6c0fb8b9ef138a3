/**
 * Milliseconds `process.exit()` on the main thread is held up at most while the worker closes
 * its ZAP socket (a worker torn down with a socket still receiving aborts the process).
 */
export const EXIT_WAIT_MS = 2000

/** Milliseconds `stop()` waits for the worker beyond the callback timeout before terminating it. */
export const STOP_GRACE_MS = 5000

/**
 * Milliseconds between two batches of metrics from the worker to the main thread's
 * OpenTelemetry instruments (and one last batch when the worker stops).
 */
export const METRICS_FLUSH_MS = 1000
