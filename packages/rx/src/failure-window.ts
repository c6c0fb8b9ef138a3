/**
 * Failures per address within a sliding time window: an address is blocked while it has
 * `maxFailures` or more failures younger than `windowMs`.
 */
export class FailureWindow {
  readonly #failures = new Map<string, number[]>()
  readonly #maxFailures: number
  readonly #windowMs: number
  readonly #now: () => number

  constructor(maxFailures: number, windowMs: number, now: () => number) {
    this.#maxFailures = maxFailures
    this.#windowMs = windowMs
    this.#now = now
  }

  /** Records a failure of `address` now. */
  record(address: string): void {
    const now = this.#now()
    const recent = this.#recent(address, now)
    recent.push(now)
    this.#failures.set(address, recent)
    if (this.#failures.size > 1024 && this.#failures.size % 256 === 0) this.#forgetExpired(now)
  }

  /** Whether `address` has `maxFailures` or more failures within the window. */
  isBlocked(address: string): boolean {
    const recent = this.#recent(address, this.#now())
    if (recent.length === 0) this.#failures.delete(address)
    return recent.length >= this.#maxFailures
  }

  #recent(address: string, now: number): number[] {
    const recent = (this.#failures.get(address) ?? []).filter((time) => now - time < this.#windowMs)
    if (recent.length > 0) this.#failures.set(address, recent)
    return recent
  }

  #forgetExpired(now: number): void {
    for (const address of [...this.#failures.keys()]) {
      if (this.#recent(address, now).length === 0) this.#failures.delete(address)
    }
  }
}
