/** Requests sent to the other thread and waiting for their answer, by correlation id. */
export class PendingReplies<T> {
  readonly #waiting = new Map<
    number,
    { resolve: (value: T) => void; reject: (error: Error) => void; timer?: NodeJS.Timeout }
  >()
  #nextId = 1

  /**
   * Opens a request: returns its id and a promise that {@link PendingReplies.resolve} or
   * {@link PendingReplies.reject} settles. With `timeout`, the promise rejects with
   * `timeout.error()` after `timeout.ms` unless answered.
   */
  open(timeout?: { ms: number; error: () => Error }): { id: number; reply: Promise<T> } {
    const id = this.#nextId++
    const reply = new Promise<T>((resolve, reject) => {
      const entry: { resolve: (value: T) => void; reject: (error: Error) => void; timer?: NodeJS.Timeout } = {
        resolve,
        reject,
      }
      if (timeout !== undefined) {
        entry.timer = setTimeout(() => this.reject(id, timeout.error()), timeout.ms)
      }
      this.#waiting.set(id, entry)
    })
    return { id, reply }
  }

  /** Settles request `id` with `value`; returns false when no such request is waiting. */
  resolve(id: number, value: T): boolean {
    const entry = this.#take(id)
    entry?.resolve(value)
    return entry !== undefined
  }

  /** Rejects request `id`; returns false when no such request is waiting. */
  reject(id: number, error: Error): boolean {
    const entry = this.#take(id)
    entry?.reject(error)
    return entry !== undefined
  }

  /** Rejects every waiting request with the error `errorFor()` makes. */
  rejectAll(errorFor: () => Error): void {
    for (const id of [...this.#waiting.keys()]) this.reject(id, errorFor())
  }

  #take(id: number) {
    const entry = this.#waiting.get(id)
    if (entry === undefined) return undefined
    this.#waiting.delete(id)
    clearTimeout(entry.timer)
    return entry
  }
}
