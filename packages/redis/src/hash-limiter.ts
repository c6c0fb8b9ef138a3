/** Why a hash did not run. */
export type HashRefusal = "busy" | "aborted"

interface Waiter {
  start: () => void
  refuse: (why: HashRefusal) => void
}

/**
 * Bounds the slow password hashes run at once (each holds a libuv thread for tens of
 * milliseconds). Past `concurrency` running and `queueLimit` waiting, or after waiting
 * `maxWaitMs`, a hash is refused at once ("busy": the check answers 300), so a burst of new
 * PLAIN clients can neither starve the libuv pool nor outlast the engine's callback timeout.
 * A waiting hash whose check is aborted leaves the queue; a running one cannot be stopped (it
 * keeps its slot until libuv finishes) but its check settles at once.
 */
export class HashLimiter {
  readonly #concurrency: number
  readonly #queueLimit: number
  readonly #maxWaitMs: number
  readonly #queue: Waiter[] = []
  #running = 0
  #started = 0

  constructor(concurrency: number, queueLimit: number, maxWaitMs: number) {
    this.#concurrency = concurrency
    this.#queueLimit = queueLimit
    this.#maxWaitMs = maxWaitMs
  }

  /** Hashes running now. */
  get running(): number {
    return this.#running
  }

  /** Hashes started so far. */
  get started(): number {
    return this.#started
  }

  /** Hashes waiting for a slot. */
  get waiting(): number {
    return this.#queue.length
  }

  /** Runs `hash` when a slot is free; rejects with the refusal when it cannot. */
  run<T>(hash: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted === true) return Promise.reject(refusal("aborted"))
    const go = (): Promise<T> => {
      this.#running++
      this.#started++
      const work = hash()
      void work.then(
        () => this.#release(),
        () => this.#release()
      )
      return abortable(work, signal)
    }
    if (this.#running < this.#concurrency) return go()
    if (this.#queue.length >= this.#queueLimit) return Promise.reject(refusal("busy"))
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => leave("busy"), this.#maxWaitMs)
      const onAbort = (): void => leave("aborted")
      const waiter: Waiter = {
        start: () => {
          clearTimeout(timer)
          signal?.removeEventListener("abort", onAbort)
          go().then(resolve, reject)
        },
        refuse: (why) => reject(refusal(why)),
      }
      const leave = (why: HashRefusal): void => {
        const index = this.#queue.indexOf(waiter)
        if (index < 0) return
        this.#queue.splice(index, 1)
        clearTimeout(timer)
        signal?.removeEventListener("abort", onAbort)
        waiter.refuse(why)
      }
      signal?.addEventListener("abort", onAbort, { once: true })
      this.#queue.push(waiter)
    })
  }

  #release(): void {
    this.#running--
    this.#queue.shift()?.start()
  }
}

/** The error a refused hash rejects with. */
export class HashRefusedError extends Error {
  readonly reason: HashRefusal
  constructor(reason: HashRefusal) {
    super(reason === "busy" ? "password hashing is saturated" : "the check was aborted")
    this.name = "HashRefusedError"
    this.reason = reason
  }
}

function refusal(why: HashRefusal): HashRefusedError {
  return new HashRefusedError(why)
}

function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return work
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(refusal("aborted"))
    signal.addEventListener("abort", onAbort, { once: true })
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort)
        reject(error)
      }
    )
  })
}
