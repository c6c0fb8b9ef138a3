import { randomUUID } from "node:crypto"
import { EventEmitter } from "eventemitter3"
import { normalizeCurveKey, type CredentialCheck, type CredentialStore, type CredentialVerdict } from "@zmq-auth/core"
import { callListener, unpooledCopy, unpooledUtf8 } from "@zmq-auth/core/internal"
import { decide, UNAVAILABLE, type Decision, type Lookup } from "./decide.js"
import { DeadlineError, withDeadline } from "./deadline.js"
import { RedisStoreError } from "./errors.js"
import { listCredentials, readFleetStatus, type CredentialListing, type FleetStatus } from "./admin-queries.js"
import { acknowledge, leave, NODE_REFRESH_MS, readAcknowledgements, type FleetReport } from "./fleet.js"
import { HashLimiter, HashRefusedError } from "./hash-limiter.js"
import { encodeKeyPart, KeyLayout } from "./key-layout.js"
import { RedisLink, redactUrl, type RedisClient } from "./link.js"
import { resolveOptions, type RedisCredentialStoreOptions, type ResolvedOptions } from "./options.js"
import { hashPassword, parsePhc, verifyPassword } from "./password-hash.js"
import { RecordCache, type CachedRecord } from "./record-cache.js"
import { storeMetrics } from "./store-metrics.js"
import { parseCurveRecord, parseUserRecord, type CurveRecord, type Stored, type UserRecord } from "./records.js"
import { VerifiedAttempts } from "./verified-attempts.js"

/** What a change returns: the generation it created (compare with `waitForFleet`). */
export interface ChangeReceipt {
  generation: number
}

/**
 * The store's view of Redis: `"up"` connected; `"stale"` unreachable, serving entries within `maxStalenessMs`;
 * `"down"` unreachable.
 */
export type StoreState = "up" | "stale" | "down"

/** Events of {@link RedisCredentialStore}. */
export interface RedisCredentialStoreEvents {
  /** Redis became unreachable (closed, errored, or silent for 4 heartbeats): decisions needing it answer 300. */
  "store:down": (error: Error) => void
  /** Redis is reachable again, tracking re-armed: decisions are current again. */
  "store:up": () => void
  /**
   * A connection attempt failed (wrong password, missing permission, refused): the store stays
   * down and keeps trying. No secret is in the error.
   */
  "store:error": (error: Error) => void
  /** A CURVE key was revoked or a PLAIN user removed, by any process of the fleet. */
  "credential:revoked": (event: { domain: string; publicKey?: string; username?: string }) => void
}

const FALLBACK_DOMAIN = "*"

interface HashJob {
  result: Promise<boolean>
  /** Aborted when no check waits for the hash any more. */
  controller: AbortController
  waiters: number
}

interface InFlightRead {
  /** Set when the key was invalidated while the read was in flight: its reply is not cached. */
  stale: boolean
  result: Promise<{ reply: unknown }>
}
const HASH_CONCURRENCY = 2
const HASH_QUEUE = 16
const WRITE_TIMEOUT_MS = 5000
/** `connect()` resolves within this many milliseconds, connected or not. */
const CONNECT_BUDGET_MS = 2000
/** Distinct keys read from Redis at once at most: past it (Redis slow but alive) checks answer 300. */
const MAX_READS_IN_FLIGHT = 1024

const unavailable = (statusText = UNAVAILABLE): CredentialVerdict => ({ statusCode: 300, statusText })
const deny = (statusText: string): CredentialVerdict => ({ statusCode: 400, statusText })

/**
 * Credentials and revocations shared by a fleet of servers through Redis: a `CredentialStore`
 * for `Authenticator.configureStore`. Lookups are answered from an in-memory cache kept exact by
 * `CLIENT TRACKING` broadcasts (a change anywhere reaches every connected store within
 * milliseconds), else read from Redis within `lookupTimeoutMs`. When Redis cannot vouch for an
 * answer (unreachable, frozen, too slow) the answer is 300 "Credential store unavailable", never
 * an allow, unless `maxStalenessMs` lets entries confirmed that recently decide. Create with
 * {@link RedisCredentialStore.connect}; release with `close()`.
 */
export class RedisCredentialStore extends EventEmitter<RedisCredentialStoreEvents> implements CredentialStore {
  readonly #options: ResolvedOptions
  readonly #layout: KeyLayout
  readonly #link: RedisLink
  readonly #cache: RecordCache
  readonly #reads = new Map<string, InFlightRead>()
  readonly #verified = new VerifiedAttempts(100_000)
  readonly #hashing = new Map<string, HashJob>()
  readonly #limiter: HashLimiter
  #lastConfirmedAt = -Infinity
  #appliedGeneration = 0
  #syncing: Promise<void> | undefined
  #syncAgain = false
  #refreshTimer: NodeJS.Timeout | undefined
  #closed = false

  private constructor(options: ResolvedOptions) {
    super()
    this.#options = options
    this.#layout = new KeyLayout(options.namespace)
    this.#cache = new RecordCache(options.cacheEntries)
    this.#limiter = new HashLimiter(HASH_CONCURRENCY, HASH_QUEUE, options.hashWaitMs)
    const clientName = `zmq-auth:${options.node === false ? "admin" : encodeKeyPart(options.node, "node")}`
    this.#link = new RedisLink({
      url: options.url,
      trackedPrefix: this.#layout.trackedPrefix,
      heartbeatMs: options.heartbeatMs,
      connectTimeoutMs: options.connectTimeoutMs,
      clientName,
    })
    this.#link.on("invalidate", (key) => this.#invalidated(key))
    this.#link.on("attempt:failed", (error) => this.#emit("store:error", error))
    this.#link.on("confirmed", (epoch, at) => {
      this.#cache.confirm(epoch, at)
      this.#lastConfirmedAt = Math.max(this.#lastConfirmedAt, at)
    })
    this.#link.on("up", (epoch) => {
      const at = performance.now()
      this.#cache.trust(epoch, at)
      this.#lastConfirmedAt = at
      this.#syncGeneration()
      storeMetrics.state("up")
      storeMetrics.staleness(0)
      this.#emit("store:up")
    })
    this.#link.on("down", (error) => {
      this.#cache.distrust()
      if (this.#options.maxStalenessMs === 0) this.#cache.invalidate(null)
      storeMetrics.state(this.#options.maxStalenessMs > 0 ? "stale" : "down")
      this.#emit("store:down", error)
    })
  }

  /**
   * Connects to Redis and resolves with the store once connected, or, when Redis cannot be
   * reached, within 2 s in state `"down"` (answering 300) while it keeps trying on its own.
   * Throws `TypeError` naming a bad option.
   */
  static async connect(options: RedisCredentialStoreOptions = {}): Promise<RedisCredentialStore> {
    const store = new RedisCredentialStore(resolveOptions(options))
    const started = (async () => {
      await store.#link.start()
      await store.#syncing
    })()
    let timer: NodeJS.Timeout | undefined
    await Promise.race([started, new Promise((resolve) => (timer = setTimeout(resolve, CONNECT_BUDGET_MS)))])
    clearTimeout(timer)
    if (store.#options.node !== false) {
      store.#refreshTimer = setInterval(() => store.#syncGeneration(), NODE_REFRESH_MS)
      store.#refreshTimer.unref()
    }
    return store
  }

  /** `"up"`, `"stale"` (Redis unreachable, entries within `maxStalenessMs` still decide) or `"down"`. */
  get state(): StoreState {
    if (this.#link.up) return "up"
    const window = this.#options.maxStalenessMs
    return window > 0 && performance.now() - this.#lastConfirmedAt <= window ? "stale" : "down"
  }

  /** The newest generation whose changes this store has applied. */
  get appliedGeneration(): number {
    return this.#appliedGeneration
  }

  /** Slow password hashes (scrypt) of PLAIN checks: running now, waiting for a slot, and started so far. */
  get passwordHashes(): { running: number; waiting: number; started: number } {
    return { running: this.#limiter.running, waiting: this.#limiter.waiting, started: this.#limiter.started }
  }

  /** This store's name in the fleet (`false` when it does not report acknowledgements). */
  get node(): string | false {
    return this.#options.node
  }

  /**
   * Decides a CURVE client key (Z85) of `domain`: its entry, else the `"*"` entry;
   * a revocation at either level wins.
   */
  async checkCurveKey(domain: string, publicKey: string, check?: CredentialCheck): Promise<CredentialVerdict> {
    let levels: string[]
    let keys: string[]
    try {
      const key = normalizeCurveKey(publicKey, "publicKey")
      levels = this.#levels(domain)
      keys = levels.map((level) => this.#layout.curve(level, key))
    } catch {
      return deny("Unknown key")
    }
    const lookups = await this.#lookup(levels, keys, parseCurveRecord, check?.signal)
    const decision = decide(lookups, Date.now())
    switch (decision.kind) {
      case "unavailable":
        return unavailable()
      case "malformed":
        throw new RedisStoreError(
          `the CURVE record of this key in domain ${JSON.stringify(decision.domain)} is malformed`
        )
      case "revoked":
        return deny("Key revoked")
      case "expired":
        return deny("Key expired")
      case "unknown":
        return deny("Unknown key")
      case "found":
        return decision.record.userId === undefined
          ? { statusCode: 200 }
          : { statusCode: 200, userId: decision.record.userId }
    }
  }

  /**
   * Decides a PLAIN user name and password of `domain` (entry, else `"*"`; a removal at either
   * level wins). The password is copied at once and the copy wiped after the check; a password
   * already verified for the record's current version costs an HMAC, otherwise scrypt runs in
   * libuv's pool, at most 2 at once, and the check answers 300 "Credential store busy" past the
   * bound. An aborted check stops waiting for its hash.
   */
  async checkPlain(
    domain: string,
    username: string,
    password: Buffer,
    check?: CredentialCheck
  ): Promise<CredentialVerdict> {
    if (!Buffer.isBuffer(password)) throw new TypeError("password must be a Buffer")
    const secret = unpooledCopy(password)
    try {
      let levels: string[]
      let keys: string[]
      try {
        levels = this.#levels(domain)
        keys = levels.map((level) => this.#layout.user(level, username))
      } catch {
        return deny("Invalid username")
      }
      const look = async (): Promise<Decision<UserRecord>> =>
        decide(await this.#lookup(levels, keys, parseUserRecord, check?.signal), Date.now())
      const decision = await look()
      switch (decision.kind) {
        case "unavailable":
          return unavailable()
        case "malformed":
          throw new RedisStoreError(
            `the PLAIN record of a user of domain ${JSON.stringify(decision.domain)} is malformed`
          )
        case "revoked":
          return deny("User removed")
        case "expired":
        case "unknown":
          return deny("Invalid username")
        case "found":
          return await this.#verify(decision.domain, username, secret, decision.record, check?.signal, look)
      }
    } finally {
      secret.fill(0)
    }
  }

  /**
   * Verifies `secret` against `record` (found under `domain`). A hash takes long: when it
   * matched, `look` finds the record again (a cache hit when nothing changed), and the password is
   * accepted only if that record is still the one verified: a removal or a password change made
   * meanwhile wins.
   */
  async #verify(
    domain: string,
    username: string,
    secret: Buffer,
    record: UserRecord,
    signal: AbortSignal | undefined,
    look: () => Promise<Decision<UserRecord>>
  ): Promise<CredentialVerdict> {
    // A password verified against this very record version was checked against its parsed hash.
    const id = this.#verified.id(domain, username, secret, record.version)
    if (this.#verified.has(id)) return { statusCode: 200, userId: username }
    const phc = parsePhc(record.phc ?? "")
    if (phc === undefined)
      throw new RedisStoreError(
        `the password hash of a user of domain ${JSON.stringify(domain)} is not a scrypt PHC string`
      )
    if (signal?.aborted === true) return unavailable()
    let job = this.#hashing.get(id)
    if (job === undefined) {
      const copy = unpooledCopy(secret)
      const controller = new AbortController()
      storeMetrics.hashQueue(1)
      const result = this.#limiter
        .run(() => timedHash(() => verifyPassword(copy, phc)), controller.signal)
        .finally(() => {
          storeMetrics.hashQueue(-1)
          copy.fill(0)
          this.#hashing.delete(id)
        })
      result.catch(() => undefined)
      job = { result, controller, waiters: 0 }
      this.#hashing.set(id, job)
    }
    let matches: boolean
    try {
      matches = await this.#awaitHash(job, signal)
    } catch (error) {
      if (error instanceof HashRefusedError && error.reason === "busy") return unavailable("Credential store busy")
      if (error instanceof DeadlineError || error instanceof HashRefusedError) return unavailable()
      throw error
    }
    if (!matches) return deny("Invalid password")
    const now = await look()
    if (now.kind === "revoked") return deny("User removed")
    if (now.kind === "unknown" || now.kind === "expired") return deny("Invalid username")
    if (now.kind !== "found") return unavailable()
    // Changed while hashing: the new record decides the next attempt.
    if (now.domain !== domain || now.record.version !== record.version)
      return unavailable("Credential changed, try again")
    this.#verified.add(id)
    return { statusCode: 200, userId: username }
  }

  /** Waits for a shared hash; when every check waiting for it was aborted, the hash is called off. */
  async #awaitHash(job: HashJob, signal: AbortSignal | undefined): Promise<boolean> {
    if (signal === undefined) {
      job.waiters = Infinity
      return job.result
    }
    job.waiters++
    const onAbort = (): void => {
      if (--job.waiters === 0) job.controller.abort()
    }
    signal.addEventListener("abort", onAbort, { once: true })
    try {
      return await withDeadline(job.result, 2 ** 31 - 1, "password hash", signal)
    } finally {
      signal.removeEventListener("abort", onAbort)
    }
  }

  #levels(domain: string): string[] {
    if (typeof domain !== "string") throw new TypeError("domain must be a string")
    return domain === FALLBACK_DOMAIN ? [FALLBACK_DOMAIN] : [domain, FALLBACK_DOMAIN]
  }

  /** The records under `keys` (one per level of `levels`), from the cache, Redis, or what grace mode allows. */
  async #lookup<R extends CurveRecord | UserRecord>(
    levels: string[],
    keys: string[],
    parse: (reply: unknown) => Stored<R>,
    signal: AbortSignal | undefined,
    retry = true
  ): Promise<Lookup<R>[]> {
    const entries = keys.map((key) => this.#cache.get(key))
    const vouched = this.#vouched()
    const reusable = (entry: CachedRecord | undefined): entry is CachedRecord =>
      vouched && entry !== undefined && this.#cache.trusted(entry)
    const hits = entries.filter(reusable).length
    storeMetrics.lookups(hits, entries.length - hits)
    if (entries.every(reusable)) {
      return entries.map((entry, index) => ({
        domain: levels[index]!,
        record: parsedOnce(entry, parse),
        current: true,
      }))
    }
    if (this.#link.up && signal?.aborted !== true) {
      try {
        const replies = await withDeadline(
          Promise.all(
            keys.map((key, index) =>
              reusable(entries[index]) ? Promise.resolve({ reply: entries[index].reply }) : this.#read(key)
            )
          ),
          this.#options.lookupTimeoutMs,
          "Redis read",
          signal
        )
        // Every level must still be what the cache holds: a level taken from the cache may have
        // been invalidated while the other was read, and a reply overtaken by an invalidation
        // (not cached) may predate the change. Such a mix decides nothing: look again, once.
        const overtaken = replies.some(({ reply }, index) => this.#cache.get(keys[index]!)?.reply !== reply)
        if (!overtaken)
          return replies.map(({ reply }, index) => ({ domain: levels[index]!, record: parse(reply), current: true }))
        if (retry) return this.#lookup(levels, keys, parse, signal, false)
      } catch {
        // fall back to what the cache can still vouch for
      }
    }
    const now = performance.now()
    const window = this.#options.maxStalenessMs
    const stillVouched = this.#vouched()
    if (!stillVouched) storeMetrics.staleness((now - this.#lastConfirmedAt) / 1000)
    return keys.map((key, index) => {
      const entry = this.#cache.get(key)
      if (entry === undefined) return { domain: levels[index]!, record: undefined, current: false }
      const current =
        (stillVouched && this.#cache.trusted(entry)) || (window > 0 && now - this.#cache.confirmedAt(entry) <= window)
      return { domain: levels[index]!, record: parsedOnce(entry, parse), current }
    })
  }

  /**
   * Whether the connection answered within the last 2 heartbeats: only then do cached entries
   * decide without a read. A Redis gone silent is declared down after 4; in between, a check
   * reads (and answers 300 when the read misses its deadline) instead of trusting the cache.
   */
  #vouched(): boolean {
    return this.#link.up && performance.now() - this.#lastConfirmedAt <= 2 * this.#options.heartbeatMs
  }

  /**
   * Reads `key` from Redis, sharing one read among concurrent lookups. A read still in flight
   * when `key` is invalidated is not cached (its reply may predate the change: the push handler
   * runs before the reply's continuation), and later lookups do not join it.
   */
  #read(key: string): Promise<{ reply: unknown }> {
    const pending = this.#reads.get(key)
    if (pending !== undefined) return pending.result
    const client = this.#link.client
    if (client === undefined) return Promise.reject(new DeadlineError("Redis is unreachable"))
    if (this.#reads.size >= MAX_READS_IN_FLIGHT)
      return Promise.reject(new DeadlineError("too many Redis reads in flight"))
    const epoch = this.#link.epoch
    const readAt = performance.now()
    const read: InFlightRead = { stale: false, result: undefined as unknown as Promise<{ reply: unknown }> }
    read.result = client.sendCommand(["HGETALL", key]).then(
      (reply) => {
        if (this.#reads.get(key) === read) this.#reads.delete(key)
        if (!read.stale) this.#cache.set(key, reply, epoch, readAt)
        if (epoch === this.#link.epoch) this.#lastConfirmedAt = Math.max(this.#lastConfirmedAt, readAt)
        return { reply }
      },
      (error: unknown) => {
        if (this.#reads.get(key) === read) this.#reads.delete(key)
        throw error
      }
    )
    read.result.catch(() => undefined)
    this.#reads.set(key, read)
    return read.result
  }

  #invalidated(key: string | null): void {
    storeMetrics.invalidation()
    this.#cache.invalidate(key)
    for (const [name, read] of key === null ? this.#reads : [[key, this.#reads.get(key)] as const]) {
      if (read === undefined) continue
      read.stale = true
      this.#reads.delete(name)
    }
    if (key === null) {
      this.#syncGeneration()
      return
    }
    const name = this.#layout.parse(key)
    if (name === undefined) return
    if (name.kind === "generation") {
      this.#syncGeneration()
      return
    }
    // Learn whether the change was a revocation, for the application's listeners (live sessions).
    if (this.listenerCount("credential:revoked") === 0) return
    this.#read(key).then(
      ({ reply }) => {
        const record = name.kind === "curve" ? parseCurveRecord(reply) : parseUserRecord(reply)
        if (record === null || record === "malformed" || record.state === "active") return
        this.#emit(
          "credential:revoked",
          name.kind === "curve"
            ? { domain: name.domain, publicKey: name.publicKey }
            : { domain: name.domain, username: name.username }
        )
      },
      () => undefined
    )
  }

  /** Reads the generation (after every invalidation already received) and acknowledges it. */
  #syncGeneration(): void {
    if (this.#syncing !== undefined) {
      this.#syncAgain = true
      return
    }
    const client = this.#link.client
    if (client === undefined || this.#closed) return
    this.#syncing = this.#acknowledge(client).finally(() => {
      this.#syncing = undefined
      if (this.#syncAgain) {
        this.#syncAgain = false
        this.#syncGeneration()
      }
    })
  }

  async #acknowledge(client: RedisClient): Promise<void> {
    try {
      const reply = await withDeadline(
        client.sendCommand(["GET", this.#layout.generation]),
        this.#options.lookupTimeoutMs * 4,
        "reading the generation"
      )
      const generation = reply === null ? 0 : Number(String(reply))
      if (!Number.isSafeInteger(generation)) return
      this.#appliedGeneration = generation
      storeMetrics.generation(generation)
      if (this.#options.node !== false && !this.#closed) {
        await withDeadline(
          acknowledge(client, this.#layout, this.#options.node, generation),
          this.#options.lookupTimeoutMs * 4,
          "acknowledging"
        )
      }
    } catch {
      // the next invalidation, reconnect or refresh tries again
    }
  }

  /** Adds (or replaces) a CURVE public key (Z85) in `domain`, with an optional user id and expiry. */
  async addCurveKey(
    domain: string,
    publicKey: string,
    options: { userId?: string; notAfter?: Date } = {}
  ): Promise<ChangeReceipt> {
    const key = this.#layout.curve(checkDomain(domain), normalizeCurveKey(publicKey, "publicKey"))
    const fields = ["state", "active", "version", randomUUID()]
    if (options.userId !== undefined) {
      if (typeof options.userId !== "string")
        throw new TypeError(`userId must be a string, got ${typeof options.userId}`)
      fields.push("user", options.userId)
    }
    if (options.notAfter !== undefined) {
      if (
        !(options.notAfter instanceof Date) ||
        Number.isNaN(options.notAfter.getTime()) ||
        options.notAfter.getTime() < 0
      ) {
        throw new TypeError("notAfter must be a valid Date")
      }
      fields.push("notAfter", String(options.notAfter.getTime()))
    }
    return this.#change(key, fields, "adding a CURVE key")
  }

  /**
   * Revokes a CURVE public key (Z85) in `domain` (`"*"`: in every domain),
   * with a tombstone that wins over an entry at the other level.
   */
  async revokeCurveKey(domain: string, publicKey: string): Promise<ChangeReceipt> {
    const key = this.#layout.curve(checkDomain(domain), normalizeCurveKey(publicKey, "publicKey"))
    return this.#change(key, ["state", "revoked", "version", randomUUID()], "revoking a CURVE key")
  }

  /** Sets a PLAIN user's password in `domain`, stored as a salted scrypt PHC string (never in clear). */
  async setPassword(domain: string, username: string, password: string): Promise<ChangeReceipt> {
    const key = this.#layout.user(checkDomain(domain), checkName(username))
    if (typeof password !== "string") throw new TypeError(`password must be a string, got ${typeof password}`)
    const secret = unpooledUtf8(password)
    let phc: string
    try {
      phc = await hashPassword(secret, this.#options.scryptCost)
    } finally {
      secret.fill(0)
    }
    return this.#change(key, ["state", "active", "phc", phc, "version", randomUUID()], "setting a password")
  }

  /**
   * Removes a PLAIN user from `domain` (`"*"`: from every domain),
   * with a tombstone that wins over an entry at the other level.
   */
  async removeUser(domain: string, username: string): Promise<ChangeReceipt> {
    const key = this.#layout.user(checkDomain(domain), checkName(username))
    return this.#change(key, ["state", "removed", "version", randomUUID()], "removing a user")
  }

  async #change(key: string, fields: string[], what: string): Promise<ChangeReceipt> {
    if (this.#closed) throw new RedisStoreError(`${what}: the store is closed`)
    const client = this.#link.client
    if (client === undefined)
      throw new RedisStoreError(`${what}: Redis at ${redactUrl(this.#options.url)} is unreachable; nothing was changed`)
    let replies: unknown[]
    try {
      replies = await withDeadline(
        client
          .multi()
          .addCommand(["DEL", key])
          .addCommand(["HSET", key, ...fields])
          .addCommand(["INCR", this.#layout.generation])
          .exec() as Promise<unknown[]>,
        WRITE_TIMEOUT_MS,
        what
      )
    } catch (error) {
      throw new RedisStoreError(`${what}: Redis did not confirm the change (it may or may not have been made)`, {
        cause: error,
      })
    }
    const generation = Number(replies[2])
    if (!Number.isSafeInteger(generation)) throw new RedisStoreError(`${what}: the generation counter holds no integer`)
    return { generation }
  }

  /**
   * Waits until every live node of the fleet applied `receipt`'s generation, or `timeoutMs`
   * (default 5000) passed, and reports who applied it and who is pending (behind, or cut off
   * from Redis). Rejects with {@link RedisStoreError} when Redis cannot be read at all.
   */
  async waitForFleet(receipt: ChangeReceipt, options: { timeoutMs?: number } = {}): Promise<FleetReport> {
    if (!Number.isSafeInteger(receipt?.generation)) throw new TypeError("receipt.generation must be an integer")
    if (options === null || typeof options !== "object") throw new TypeError("options must be an object")
    const timeoutMs = options.timeoutMs ?? 5000
    if (!Number.isFinite(timeoutMs) || timeoutMs < 0)
      throw new TypeError(`timeoutMs must be a non-negative number, got ${String(timeoutMs)}`)
    const started = performance.now()
    let pause = 2
    let lastError: unknown
    let report: FleetReport | undefined
    for (;;) {
      const client = this.#link.client
      if (client !== undefined) {
        try {
          const nodes = await withDeadline(
            readAcknowledgements(client, this.#layout),
            this.#options.lookupTimeoutMs * 4,
            "reading acknowledgements"
          )
          const applied: string[] = []
          const pending: string[] = []
          for (const [node, generation] of nodes) (generation >= receipt.generation ? applied : pending).push(node)
          report = { applied, pending, elapsedMs: Math.round((performance.now() - started) * 10) / 10 }
          if (pending.length === 0) return report
        } catch (error) {
          lastError = error
        }
      }
      const left = timeoutMs - (performance.now() - started)
      if (left <= 0) break
      await new Promise((resolve) => setTimeout(resolve, Math.min(pause, left)))
      pause = Math.min(pause * 2, 50)
    }
    if (report === undefined)
      throw new RedisStoreError("cannot read the fleet's acknowledgements: Redis is unreachable", { cause: lastError })
    return { ...report, elapsedMs: Math.round((performance.now() - started) * 10) / 10 }
  }

  /**
   * Every credential of the namespace (of `domain` only, when given): CURVE keys with their
   * state, user id and expiry, PLAIN users with their state. Never a password or its hash.
   * Rejects with {@link RedisStoreError} when Redis cannot be read.
   */
  async listCredentials(domain?: string): Promise<CredentialListing[]> {
    const client = this.#adminClient("listing credentials")
    return withDeadline(
      listCredentials(client, this.#layout, domain),
      WRITE_TIMEOUT_MS * 4,
      "listing credentials"
    ).catch((error: unknown) => {
      throw new RedisStoreError("listing credentials: Redis did not answer", { cause: error })
    })
  }

  /**
   * The namespace's generation, the live nodes with the generation each applied and their lag,
   * and the Redis server's role and connected replicas. Rejects with {@link RedisStoreError}
   * when Redis cannot be read.
   */
  async fleetStatus(): Promise<FleetStatus> {
    const client = this.#adminClient("reading the fleet status")
    const reading = readAcknowledgements(client, this.#layout).then((nodes) =>
      readFleetStatus(client, this.#layout, nodes)
    )
    return withDeadline(reading, WRITE_TIMEOUT_MS * 4, "reading the fleet status").catch((error: unknown) => {
      throw new RedisStoreError("reading the fleet status: Redis did not answer", { cause: error })
    })
  }

  #adminClient(what: string): RedisClient {
    const client = this.#link.client
    if (this.#closed || client === undefined)
      throw new RedisStoreError(`${what}: Redis at ${redactUrl(this.#options.url)} is unreachable`)
    return client
  }

  /** Leaves the fleet and closes the connection; checks made afterwards answer 300. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    clearInterval(this.#refreshTimer)
    const client = this.#link.client
    if (client !== undefined && this.#options.node !== false) {
      await withDeadline(
        leave(client, this.#layout, this.#options.node),
        this.#options.lookupTimeoutMs * 4,
        "leaving the fleet"
      ).catch(() => undefined)
    }
    this.removeAllListeners()
    await this.#link.close()
    this.#cache.distrust()
    this.#cache.invalidate(null)
  }

  /** Same as `close()`, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  #emit<E extends keyof RedisCredentialStoreEvents>(
    event: E,
    ...args: Parameters<RedisCredentialStoreEvents[E]>
  ): void {
    if (this.#closed) return
    callListener(`redis ${event}`, () =>
      (this.emit as (event: E, ...args: Parameters<RedisCredentialStoreEvents[E]>) => boolean)(event, ...args)
    )
  }
}

/** The entry's reply parsed by `parse`, parsed at most once (a key names one kind of record). */
function parsedOnce<R>(entry: CachedRecord, parse: (reply: unknown) => Stored<R>): Stored<R> {
  if (!("parsed" in entry)) entry.parsed = parse(entry.reply)
  return entry.parsed as Stored<R>
}

function checkDomain(domain: unknown): string {
  if (typeof domain !== "string") throw new TypeError(`domain must be a string, got ${typeof domain}`)
  return domain
}

function checkName(username: unknown): string {
  if (typeof username !== "string") throw new TypeError(`username must be a string, got ${typeof username}`)
  return username
}

/** Runs a password hash and records how long it took. */
async function timedHash<T>(hash: () => Promise<T>): Promise<T> {
  const started = performance.now()
  try {
    return await hash()
  } finally {
    storeMetrics.hashDuration((performance.now() - started) / 1000)
  }
}
