import { AuthenticatorError } from "../errors.js"

/**
 * Calls `callback` and settles with its result, or rejects with {@link AuthenticatorError}
 * when it throws, rejects, or has not settled after `timeoutMs`. A synchronous result is
 * returned without starting a timer.
 */
export function callWithTimeout<T>(what: string, timeoutMs: number, callback: () => T | PromiseLike<T>): T | Promise<T> {
  let result: T | PromiseLike<T>
  try {
    result = callback()
  } catch (error) {
    throw new AuthenticatorError(`${what} threw: ${messageOf(error)}`, { cause: error })
  }
  if (!isPromiseLike(result)) return result
  // A stalled event loop can run an answer before the expired timer: the deadline decides.
  const deadline = performance.now() + timeoutMs
  const late = (): AuthenticatorError => new AuthenticatorError(`${what} did not answer within ${timeoutMs} ms`)
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(late()), timeoutMs)
    Promise.resolve(result).then(
      (value) => {
        clearTimeout(timer)
        if (performance.now() >= deadline) reject(late())
        else resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(new AuthenticatorError(`${what} rejected: ${messageOf(error)}`, { cause: error }))
      },
    )
  })
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === "function"
}

/** The message of an unknown thrown value, for error texts. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
