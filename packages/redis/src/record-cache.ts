/** A cached Redis reply with what vouches for it. */
export interface CachedRecord {
  /** The raw `HGETALL` reply. */
  readonly reply: unknown
  /** The connection the reply came on. */
  readonly epoch: number
  /** performance.now() when the read was sent. */
  readonly readAt: number
  /** The reply parsed, once a lookup parsed it. */
  parsed?: unknown
}

/**
 * The store's own cache of credential records, fed by reads and emptied key by key by tracking
 * invalidations. Unlike node-redis's cache it survives a lost connection: its entries then stop
 * being trusted but keep the time they were last confirmed, so grace mode (`maxStalenessMs`)
 * can serve entries confirmed recently enough. An entry is confirmed by its read, and again by
 * every heartbeat answered on the same connection (tracking would have invalidated it otherwise).
 */
export class RecordCache {
  readonly #entries = new Map<string, CachedRecord>()
  readonly #confirmedAt = new Map<number, number>()
  readonly #maxEntries: number
  #trustedEpoch: number | undefined

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries
  }

  /** The number of cached records. */
  get size(): number {
    return this.#entries.size
  }

  /** Connection `epoch` is up with tracking armed at `at`: its entries are trusted from now on. */
  trust(epoch: number, at: number): void {
    this.#trustedEpoch = epoch
    this.#confirmedAt.set(epoch, at)
  }

  /** The connection is lost: nothing is trusted; entries keep their last confirmation time. */
  distrust(): void {
    this.#trustedEpoch = undefined
  }

  /** A heartbeat sent at `at` on connection `epoch` was answered. */
  confirm(epoch: number, at: number): void {
    if ((this.#confirmedAt.get(epoch) ?? -Infinity) < at) this.#confirmedAt.set(epoch, at)
  }

  /** Whether `entry` is vouched for by the live connection. */
  trusted(entry: CachedRecord): boolean {
    return entry.epoch === this.#trustedEpoch
  }

  /** performance.now() when `entry` was last known to match Redis. */
  confirmedAt(entry: CachedRecord): number {
    return Math.max(entry.readAt, this.#confirmedAt.get(entry.epoch) ?? -Infinity)
  }

  get(key: string): CachedRecord | undefined {
    return this.#entries.get(key)
  }

  /** Stores a reply read on `epoch`; ignored unless that connection is still the trusted one. */
  set(key: string, reply: unknown, epoch: number, readAt: number): void {
    if (epoch !== this.#trustedEpoch) return
    this.#entries.delete(key)
    this.#entries.set(key, { reply, epoch, readAt })
    if (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value
      if (oldest !== undefined) this.#entries.delete(oldest)
    }
  }

  /** Forgets `key` (`null`: every key). */
  invalidate(key: string | null): void {
    if (key === null) this.#entries.clear()
    else this.#entries.delete(key)
  }
}
