import { AuthenticatorError } from "@zmq-auth/core"
import { servingOnAnotherThread } from "@zmq-auth/core/internal"
import type { WorkerSession } from "./worker-session.js"

/**
 * The worker threads of one ZAP endpoint over time: at most one {@link WorkerSession} at once,
 * and the race between starting and stopping it. `stop()` wins over a `start()` that has not
 * resolved yet (it rejects; a worker already spawning is stopped too); `start()` waits for a
 * `stop()` under way. A session that ended on its own (a crash) no longer counts as started.
 */
export class WorkerLifecycle {
  readonly #endpoint: string
  #session: WorkerSession | undefined
  /** Aborted by `stop()`: the `start()` under way gives up. */
  #starting: AbortController | undefined
  #stopping: Promise<void> | undefined

  /** `endpoint` names the ZAP endpoint in errors. */
  constructor(endpoint: string) {
    this.#endpoint = endpoint
  }

  /** The session that takes configuration calls: one that has not ended, with no stop under way. */
  get live(): WorkerSession | undefined {
    const session = this.#session
    return session !== undefined && !session.ended && this.#stopping === undefined ? session : undefined
  }

  /** Whether a worker is up, the ZAP endpoint bound, and no stop is under way. */
  get running(): boolean {
    return this.live?.running === true
  }

  /** The thread id of the worker while one exists. */
  get threadId(): number | undefined {
    return this.#session?.ended === false ? this.#session.threadId : undefined
  }

  /**
   * Waits for a stop under way and for every promise of `settleFirst` (a live set: promises
   * added while waiting count too), then spawns a session and resolves once it is ready. Rejects
   * with `AuthenticatorError` when already started or when `stop()` was called meanwhile, and
   * with why the worker could not start.
   */
  async start(settleFirst: ReadonlySet<Promise<unknown>>, spawn: () => WorkerSession): Promise<void> {
    if (this.#starting !== undefined || this.live !== undefined) {
      throw new AuthenticatorError(`ThreadAuthenticator for ${this.#endpoint} is already started`)
    }
    const attempt = new AbortController()
    this.#starting = attempt
    const cancelled = new Promise<void>((resolve) => attempt.signal.addEventListener("abort", () => resolve()))
    try {
      if (this.#stopping !== undefined) await this.#stopping.catch(() => undefined)
      while (settleFirst.size > 0 && !attempt.signal.aborted) {
        await Promise.race([Promise.allSettled([...settleFirst]), cancelled])
      }
      if (attempt.signal.aborted) throw this.#stoppedBeforeStart()
      const session = spawn()
      this.#session = session
      try {
        await session.ready
      } catch (error) {
        // The stop() that cancelled this attempt ended the worker before it was ready.
        if (attempt.signal.aborted) throw this.#stoppedBeforeStart()
        throw error
      }
      servingOnAnotherThread(this.#endpoint, session.exited)
      // The stop() that cancelled this attempt is stopping the session.
      if (attempt.signal.aborted) throw this.#stoppedBeforeStart()
    } finally {
      if (this.#starting === attempt) this.#starting = undefined
    }
  }

  /**
   * Cancels a `start()` under way and stops the session; resolves once no worker is left.
   * Idempotent: concurrent calls share one stop.
   */
  async stop(): Promise<void> {
    this.#starting?.abort()
    this.#starting = undefined
    const session = this.#session
    if (session === undefined) {
      await this.#stopping
      return
    }
    this.#stopping ??= session.stop().finally(() => {
      if (this.#session === session) this.#session = undefined
      this.#stopping = undefined
    })
    await this.#stopping
  }

  #stoppedBeforeStart(): AuthenticatorError {
    return new AuthenticatorError(`ThreadAuthenticator for ${this.#endpoint}: stop() was called before it started`)
  }
}
