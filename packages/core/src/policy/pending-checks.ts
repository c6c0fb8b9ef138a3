import { AuthenticatorError } from "../errors.js"
import type { CredentialCheck } from "./credential-store.js"
import { markCheckFailure } from "./check-failures.js"
import { messageOf } from "../error-text.js"
import { isPromiseLike } from "./timeout.js"

/** The default `maxPendingChecks` of `Authenticator`: 64 outstanding checks per ZAP domain. */
export const DEFAULT_MAX_PENDING_CHECKS = 64

/**
 * Thrown by {@link PendingChecks.run} when a domain already has its maximum of outstanding
 * checks: the request is answered 300 (try again later) without calling anything.
 */
export class ChecksSaturated extends Error {
  constructor(domain: string, max: number) {
    super(`ZAP domain ${JSON.stringify(domain)} already has ${max} checks outstanding`)
    this.name = "ChecksSaturated"
  }
}

/**
 * The asynchronous checks (key callbacks, user-id mappers, stores, custom checks) in progress,
 * counted per ZAP domain of the request. A check counts from its call until its promise really
 * settles, not until the engine stops waiting for it: a check that never settles keeps its slot,
 * so at most `max` of them are ever alive per domain, and further requests of the domain are
 * answered at once (see {@link ChecksSaturated}). Each check gets a {@link CredentialCheck}
 * whose signal is aborted when the engine stops waiting (timeout, or the adapter's signal).
 */
export class PendingChecks {
  readonly #counts = new Map<string, number>()
  readonly #max: number
  readonly #timeoutMs: number
  /**
   * What to do when an adapter's signal is aborted, per signal: one listener per signal, however
   * many checks wait on it (a listener per check would trip Node's leak warning at 11).
   */
  readonly #abandoners = new WeakMap<AbortSignal, Set<() => void>>()

  constructor(max: number, timeoutMs: number) {
    this.#max = max
    this.#timeoutMs = timeoutMs
  }

  /** Checks outstanding for `domain` (settled ones excluded, abandoned ones included). */
  count(domain: string): number {
    return this.#counts.get(domain) ?? 0
  }

  /**
   * Calls `call` and settles with its result, or rejects with {@link AuthenticatorError} when
   * it throws, rejects, has not settled after the timeout, or `abandon` is aborted first (the
   * check's signal is then aborted too). A synchronous result is returned as is, without a
   * timer or a slot. Throws {@link ChecksSaturated} without calling when `domain` is full.
   */
  run<T>(
    domain: string,
    what: string,
    abandon: AbortSignal | undefined,
    call: (check: CredentialCheck) => T | PromiseLike<T>
  ): T | Promise<T> {
    if (abandon?.aborted === true) throw abandoned(what, abandon)
    const count = this.count(domain)
    if (count >= this.#max) throw new ChecksSaturated(domain, this.#max)
    const controller = new AbortController()
    let result: T | PromiseLike<T>
    try {
      result = call({ signal: controller.signal })
    } catch (error) {
      throw new AuthenticatorError(`${what} threw: ${messageOf(error)}`, { cause: error })
    }
    if (!isPromiseLike(result)) return result
    this.#counts.set(domain, count + 1)
    const settled = Promise.resolve(result)
    const release = (): void => {
      const left = this.count(domain) - 1
      if (left > 0) this.#counts.set(domain, left)
      else this.#counts.delete(domain)
    }
    settled.then(release, release)
    // A stalled event loop can run an answer before the expired timer: the deadline decides.
    const deadline = performance.now() + this.#timeoutMs
    const late = (): AuthenticatorError =>
      markCheckFailure(new AuthenticatorError(`${what} did not answer within ${this.#timeoutMs} ms`), "timeout", what)
    return new Promise<T>((resolve, reject) => {
      const giveUp = (error: AuthenticatorError): void => {
        cleanup()
        controller.abort(error)
        reject(error)
      }
      const timer = setTimeout(() => giveUp(late()), this.#timeoutMs)
      const forget =
        abandon === undefined ? undefined : this.#onAbandon(abandon, () => giveUp(abandoned(what, abandon)))
      const cleanup = (): void => {
        clearTimeout(timer)
        forget?.()
      }
      settled.then(
        (value) => {
          cleanup()
          if (performance.now() >= deadline) reject(late())
          else resolve(value)
        },
        (error: unknown) => {
          cleanup()
          reject(new AuthenticatorError(`${what} rejected: ${messageOf(error)}`, { cause: error }))
        }
      )
    })
  }

  /** Runs `giveUp` when `signal` is aborted; returns the function that cancels that. */
  #onAbandon(signal: AbortSignal, giveUp: () => void): () => void {
    const waiting = this.#abandoners.get(signal) ?? new Set<() => void>()
    if (!this.#abandoners.has(signal)) {
      this.#abandoners.set(signal, waiting)
      signal.addEventListener(
        "abort",
        () => {
          for (const abandon of [...waiting]) abandon()
        },
        { once: true }
      )
    }
    waiting.add(giveUp)
    return () => waiting.delete(giveUp)
  }
}

/** An aborted signal always has a reason: `abort()` without one stores an "AbortError". */
function abandoned(what: string, signal: AbortSignal): AuthenticatorError {
  const reason: unknown = signal.reason
  const error = new AuthenticatorError(`${what} was abandoned: ${messageOf(reason)}`, { cause: reason })
  return markCheckFailure(error, "stopped", what)
}
