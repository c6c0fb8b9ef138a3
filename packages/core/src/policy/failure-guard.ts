/** Options of {@link FailureGuard} (the `guard` option of `Authenticator`). */
export interface FailureGuardOptions {
  /**
   * Failed PLAIN logins of one user name from one address within `windowMs` that block that
   * address for that user name. A positive integer.
   */
  maxFailures: number
  /** Length of the sliding window, in milliseconds. A block ends when enough failures age out of it. */
  windowMs: number
  /**
   * Failed PLAIN logins from one address, whatever the user names, within `windowMs` that block
   * the address for every request (any mechanism, any user). A positive integer; default
   * 4 × `maxFailures`.
   */
  maxAddressFailures?: number
  /**
   * Counters kept at once (one per address and one per address and user name with recent
   * failures). Past it a tenth of them are dropped, least recently failed and unblocked ones
   * first, so memory stays bounded under a flood of distinct addresses and names. Default 10,000.
   */
  maxEntries?: number
  /** Status text of the 400 reply to a blocked request. Default "Too many failed attempts". */
  statusText?: string
  /** The clock, in milliseconds. Default `Date.now`. */
  now?: () => number
}

/** Why a request was blocked by a {@link FailureGuard}, as decision events report it. */
export interface GuardBlock {
  /** `"address"`: the address failed too often; `"address+user"`: it failed too often on this user name. */
  reason: "address" | "address+user"
  /** Failures counted within the window. */
  failures: number
  /** Milliseconds until the block ends unless new failures are counted. */
  retryAfterMs: number
}

/** The default `maxEntries` of {@link FailureGuard}. */
export const DEFAULT_GUARD_MAX_ENTRIES = 10_000

/** The default status text of a blocked request. */
export const DEFAULT_GUARD_STATUS_TEXT = "Too many failed attempts"

/** The share of `maxEntries` a full guard drops at once (one pass over the map, not one per failure). */
const EVICTION_SHARE = 0.1

/**
 * A brute-force guard: counts failed PLAIN logins per address and per address and user name
 * within a sliding window, and says which requests to block. Counting per address and user name
 * (not per user name alone) means a client proving the right password from its own address is
 * never locked out by someone else's failures on its user name. Each counter keeps at most its
 * threshold's worth of timestamps, and at most `maxEntries` counters exist.
 *
 * Throws `TypeError` naming an invalid option.
 */
export class FailureGuard {
  readonly #failures = new Map<string, number[]>()
  readonly #maxFailures: number
  readonly #maxAddressFailures: number
  readonly #windowMs: number
  readonly #maxEntries: number
  readonly #now: () => number
  /** Status text of the 400 reply to a blocked request. */
  readonly statusText: string

  constructor(options: FailureGuardOptions) {
    if (options === null || typeof options !== "object") throw new TypeError("guard options must be an object")
    const { maxFailures, windowMs } = options
    if (!isPositiveInteger(maxFailures))
      throw new TypeError(`maxFailures must be a positive integer, got ${String(maxFailures)}`)
    if (typeof windowMs !== "number" || !(windowMs > 0) || !Number.isFinite(windowMs)) {
      throw new TypeError(`windowMs must be a positive number of milliseconds, got ${String(windowMs)}`)
    }
    const maxAddressFailures = options.maxAddressFailures ?? maxFailures * 4
    if (!isPositiveInteger(maxAddressFailures))
      throw new TypeError(`maxAddressFailures must be a positive integer, got ${String(maxAddressFailures)}`)
    const maxEntries = options.maxEntries ?? DEFAULT_GUARD_MAX_ENTRIES
    if (!isPositiveInteger(maxEntries))
      throw new TypeError(`maxEntries must be a positive integer, got ${String(maxEntries)}`)
    if (options.statusText !== undefined && typeof options.statusText !== "string")
      throw new TypeError(`statusText must be a string, got ${typeof options.statusText}`)
    if (options.now !== undefined && typeof options.now !== "function") throw new TypeError("now must be a function")
    this.#maxFailures = maxFailures
    this.#maxAddressFailures = maxAddressFailures
    this.#windowMs = windowMs
    this.#maxEntries = maxEntries
    this.#now = options.now ?? Date.now
    this.statusText = options.statusText ?? DEFAULT_GUARD_STATUS_TEXT
  }

  /** Counters held now (at most `maxEntries`). */
  get size(): number {
    return this.#failures.size
  }

  /**
   * Whether a request from `address` (for PLAIN, with `username`) is blocked, and why. Throws
   * what the clock throws.
   */
  check(address: string, username?: string): GuardBlock | undefined {
    const now = this.#now()
    const byAddress = this.#blocked(addressKey(address), this.#maxAddressFailures, now)
    if (byAddress !== undefined) return { reason: "address", ...byAddress }
    if (username === undefined) return undefined
    const byUser = this.#blocked(userKey(address, username), this.#maxFailures, now)
    return byUser === undefined ? undefined : { reason: "address+user", ...byUser }
  }

  /** Counts a failed login of `username` from `address` now. Throws what the clock throws. */
  recordFailure(address: string, username: string): void {
    const now = this.#now()
    this.#record(addressKey(address), this.#maxAddressFailures, now)
    this.#record(userKey(address, username), this.#maxFailures, now)
  }

  #blocked(key: string, threshold: number, now: number): Omit<GuardBlock, "reason"> | undefined {
    const times = this.#failures.get(key)
    if (times === undefined) return undefined
    const recent = times.filter((time) => now - time < this.#windowMs)
    if (recent.length === 0) {
      this.#failures.delete(key)
      return undefined
    }
    if (recent.length < threshold) return undefined
    return { failures: recent.length, retryAfterMs: recent[recent.length - threshold]! + this.#windowMs - now }
  }

  #record(key: string, threshold: number, now: number): void {
    const times = this.#failures.get(key)?.filter((time) => now - time < this.#windowMs) ?? []
    times.push(now)
    if (times.length > threshold) times.splice(0, times.length - threshold)
    // Re-inserted: the map's order is the order of the last failure, oldest first.
    this.#failures.delete(key)
    this.#failures.set(key, times)
    if (this.#failures.size > this.#maxEntries) this.#evict(now)
  }

  /**
   * Drops a tenth of the counters in one pass, least recently failed first: the unblocked ones,
   * then, if that was not enough (a flood of blocked counters), the oldest blocked ones.
   */
  #evict(now: number): void {
    const target = Math.floor(this.#maxEntries * (1 - EVICTION_SHARE))
    for (const [key, times] of this.#failures) {
      if (this.#failures.size <= target) return
      const threshold = key.startsWith("a") ? this.#maxAddressFailures : this.#maxFailures
      if (times.filter((time) => now - time < this.#windowMs).length < threshold) this.#failures.delete(key)
    }
    for (const key of this.#failures.keys()) {
      if (this.#failures.size <= target) return
      this.#failures.delete(key)
    }
  }
}

function addressKey(address: string): string {
  return `a${address}`
}

function userKey(address: string, username: string): string {
  return `u${address.length}:${address}${username}`
}

function isPositiveInteger(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) > 0
}
