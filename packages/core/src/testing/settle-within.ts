/** How a call ended within its deadline. */
export type Settlement<T> = { settled: true; value: T } | { settled: true; error: unknown } | { settled: false }

/**
 * Calls `call` (a synchronous throw counts as a rejection) and reports how it settled, or that
 * it had not settled `deadlineMs` after the call. The deadline is a bound, not a wait: it ends
 * as soon as the call settles.
 */
export function settleWithin<T>(call: () => T | Promise<T>, deadlineMs: number): Promise<Settlement<T>> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ settled: false }), deadlineMs)
    new Promise<T>((resolveCall) => resolveCall(call())).then(
      (value) => {
        clearTimeout(timer)
        resolve({ settled: true, value })
      },
      (error: unknown) => {
        clearTimeout(timer)
        resolve({ settled: true, error })
      }
    )
  })
}
