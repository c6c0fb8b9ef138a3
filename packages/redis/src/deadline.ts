/** A Redis read that did not answer in time, or whose check was aborted. */
export class DeadlineError extends Error {
  constructor(message: string) {
    super(message)
    this.name = "DeadlineError"
  }
}

/**
 * Settles like `work`, or rejects with {@link DeadlineError} after `ms` or when `signal` aborts,
 * whichever comes first. node-redis stops applying its own command timeout once a command is
 * written, so every read is raced against this instead. `work`'s late result is ignored.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, what: string, signal?: AbortSignal): Promise<T> {
  if (signal?.aborted === true) {
    work.catch(() => undefined)
    return Promise.reject(new DeadlineError(`${what}: the check was aborted`))
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => finish(() => reject(new DeadlineError(`${what}: the check was aborted`)))
    const timer = setTimeout(() => finish(() => reject(new DeadlineError(`${what}: no answer within ${ms} ms`))), ms)
    let done = false
    function finish(settle: () => void): void {
      if (done) return
      done = true
      clearTimeout(timer)
      signal?.removeEventListener("abort", onAbort)
      settle()
    }
    signal?.addEventListener("abort", onAbort, { once: true })
    work.then(
      (value) => finish(() => resolve(value)),
      (error: unknown) => finish(() => reject(error))
    )
  })
}
