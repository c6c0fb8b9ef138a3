/** A wait that did not end in time: the demo reports what it was waiting for. */
export class DeadlineError extends Error {
  override readonly name = "DeadlineError"
}

/**
 * Resolves as `promise` does, or rejects with {@link DeadlineError} naming `what` after
 * `milliseconds`. A bound on a wait for an event, never a way to let time pass.
 */
export async function withDeadline<T>(promise: Promise<T>, milliseconds: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new DeadlineError(`${what} did not happen within ${milliseconds} ms`)),
      milliseconds
    )
  })
  try {
    return await Promise.race([promise, expired])
  } finally {
    clearTimeout(timer)
  }
}
