/** Default of the `concurrency` option: exchanges decided at once. */
export const DEFAULT_CONCURRENCY = 1024

/** Throws `TypeError` naming the `concurrency` option unless `value` is a positive integer. */
export function checkConcurrency(value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new TypeError(`concurrency must be a positive integer, got ${String(value)}`)
  }
}
