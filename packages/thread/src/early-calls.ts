/**
 * Configuration calls that reach a starting worker before its engine holds the recorded policy:
 * kept in the order they came, then applied by {@link EarlyCalls.drain} before the ZAP endpoint
 * is bound. Once drained, it keeps nothing more: later calls are the caller's to apply.
 */
export class EarlyCalls<Call> {
  readonly #kept: Call[] = []
  #accepting = true

  /** Keeps `call` for the drain; false once the drain is over (nothing is kept then). */
  offer(call: Call): boolean {
    if (!this.#accepting) return false
    this.#kept.push(call)
    return true
  }

  /**
   * Applies the kept calls one after the other in the order they came, calls offered meanwhile
   * included, then stops keeping calls. Rejects (still keeping calls) when `apply` rejects.
   */
  async drain(apply: (call: Call) => Promise<void>): Promise<void> {
    for (let call = this.#kept.shift(); call !== undefined; call = this.#kept.shift()) await apply(call)
    this.#accepting = false
  }
}
