import { hostname } from "node:os"
import { EventEmitter } from "eventemitter3"
import { AuthenticatorError } from "../errors.js"
import type { CredentialCheck, CredentialStore, CredentialVerdict } from "./credential-store.js"
import type {
  ChangeReceipt,
  CredentialAdministration,
  CurveKeyEntryOptions,
  FleetReport,
  WaitForFleetOptions,
} from "./credential-store-admin.js"
import { normalizeCurveKey } from "./curve-key.js"
import { FALLBACK_DOMAIN } from "./domain-table.js"
import { PasswordDigester } from "./password-digest.js"
import type { CredentialRevokedEvent } from "./store-events.js"

/** Options of {@link MemoryCredentialStore}. */
export interface MemoryCredentialStoreOptions {
  /** This store's name in a {@link FleetReport}; default `"<host name>:<process id>"`. */
  node?: string
}

/** Events of {@link MemoryCredentialStore}, named as `RedisCredentialStore`'s. */
export interface MemoryCredentialStoreEvents {
  /** The store was made unavailable ({@link MemoryCredentialStore.setAvailable}): checks answer 300. */
  "store:down": (error: Error) => void
  /** The store is available again. */
  "store:up": () => void
  /** A CURVE key was revoked or a PLAIN user removed. */
  "credential:revoked": (event: CredentialRevokedEvent) => void
}

/** A CURVE key's record under one domain: an admitted key, or the tombstone of a revoked one. */
type CurveRecord =
  | { readonly state: "active"; readonly userId: string | undefined; readonly notAfter: number | undefined }
  | { readonly state: "revoked" }

/** A PLAIN user's record under one domain: the digest of the password, or the tombstone of a removed user. */
type UserRecord = { readonly state: "active"; readonly digest: Buffer } | { readonly state: "removed" }

const UNAVAILABLE: CredentialVerdict = { statusCode: 300, statusText: "Credential store unavailable" }

/**
 * A {@link CredentialStore} in this process's memory, with the administration methods of
 * `RedisCredentialStore`: the store of the docs' examples, of tests, and the reference for
 * authors of their own stores. What it decides, every store decides (the conformance kit,
 * `@zmq-auth/core/testing`, checks it):
 *
 * - **Lookup order**: a credential is looked up under the request's domain, then under `"*"`.
 *   The first level that has a record decides (a user's password under the domain is the one
 *   checked, even if `"*"` has another).
 * - **Revocation wins**: `revokeCurveKey` and `removeUser` leave a tombstone, which denies the
 *   key or user under that domain even if `"*"` admits it, and under every domain when made
 *   under `"*"`, whatever the order of the changes. `addCurveKey` / `setPassword` at the
 *   tombstone's own level lifts it.
 * - **Expiry**: a key past its `notAfter` is denied ("Key expired"), at the level that has it.
 * - **Passwords** are never held in clear: each is kept as a keyed digest in unpooled memory and
 *   compared in constant time; the bytes given to {@link MemoryCredentialStore.checkPlain} are
 *   read during the call only.
 * - **Abort**: a check whose signal is already aborted throws the signal's reason at once.
 * - **Temporary failure**: while {@link MemoryCredentialStore.setAvailable}`(false)` is in force,
 *   every check answers 300 "Credential store unavailable", as a store that cannot reach its
 *   database must, so an application can test how it handles an outage.
 *
 * Checks are synchronous. Every change raises {@link MemoryCredentialStore.generation} by one
 * and resolves with a {@link ChangeReceipt}; it applies to the next check. Invalid arguments
 * reject with {@link AuthenticatorError} naming the argument, before anything changes.
 *
 * @example
 * ```ts
 * const store = new MemoryCredentialStore()
 * await store.addCurveKey("*", clientPublicKey, { userId: "alice" })
 * await store.setPassword("admin", "bob", "correct horse")
 * authenticator.configureStore("*", store)
 * ```
 */
export class MemoryCredentialStore
  extends EventEmitter<MemoryCredentialStoreEvents>
  implements CredentialStore, CredentialAdministration
{
  /** Domain, then Z85 key, to the key's record. */
  readonly #curve = new Map<string, Map<string, CurveRecord>>()
  /** Domain, then user name, to the user's record. */
  readonly #users = new Map<string, Map<string, UserRecord>>()
  readonly #digester = new PasswordDigester()
  readonly #node: string
  #generation = 0
  #available = true
  #closed = false

  /** Throws {@link AuthenticatorError} when `node` is given and is not a non-empty string. */
  constructor(options: MemoryCredentialStoreOptions = {}) {
    super()
    if (options === null || typeof options !== "object")
      throw new AuthenticatorError("MemoryCredentialStore options must be an object")
    const { node = `${hostname()}:${process.pid}` } = options
    if (typeof node !== "string" || node === "") throw new AuthenticatorError("options.node must be a non-empty string")
    this.#node = node
  }

  /** `"up"`, or `"down"` while made unavailable (as `RedisCredentialStore.state`). */
  get state(): "up" | "down" {
    return this.#available ? "up" : "down"
  }

  /** The number of changes made so far: the generation of the last {@link ChangeReceipt}. */
  get generation(): number {
    return this.#generation
  }

  /**
   * Simulates an outage: while `available` is false every check answers 300 "Credential store
   * unavailable" (changes still apply). Emits `store:down` / `store:up` when the state changes.
   */
  setAvailable(available: boolean): void {
    if (typeof available !== "boolean") throw new AuthenticatorError("available must be a boolean")
    this.#checkOpen()
    if (available === this.#available) return
    this.#available = available
    if (available) this.emit("store:up")
    else this.emit("store:down", new AuthenticatorError("MemoryCredentialStore was made unavailable"))
  }

  /**
   * Admits a CURVE client key under `domain` (`"*"`: every domain without a record of its own),
   * replacing the domain's record of that key, tombstone included.
   *
   * @param publicKey 40 Z85 characters or 32 bytes
   * @param options.userId the user id of its connections; default: what `curveUserId` gives
   * @param options.notAfter the instant from which the key is refused
   * Rejects with {@link AuthenticatorError} naming `domain`, `publicKey`, `options.userId` or `options.notAfter`.
   */
  async addCurveKey(
    domain: string,
    publicKey: string | Uint8Array,
    options: CurveKeyEntryOptions = {}
  ): Promise<ChangeReceipt> {
    this.#checkOpen()
    checkDomain(domain)
    const key = normalizeCurveKey(publicKey, "publicKey")
    if (options === null || typeof options !== "object")
      throw new AuthenticatorError("addCurveKey options must be an object")
    const { userId, notAfter } = options
    if (userId !== undefined && typeof userId !== "string")
      throw new AuthenticatorError(`options.userId must be a string, got ${typeof userId}`)
    if (notAfter !== undefined && !(notAfter instanceof Date && Number.isFinite(notAfter.getTime()))) {
      throw new AuthenticatorError("options.notAfter must be a valid Date")
    }
    tableOf(this.#curve, domain).set(key, { state: "active", userId, notAfter: notAfter?.getTime() })
    return this.#changed()
  }

  /**
   * Revokes a CURVE key under `domain` with a tombstone: the key is denied ("Key revoked") under
   * that domain even when `"*"` admits it, and, revoked under `"*"`, under every domain. Emits
   * `credential:revoked`. Revoking a key the store never had still leaves the tombstone.
   *
   * Rejects with {@link AuthenticatorError} naming `domain` or `publicKey`.
   */
  async revokeCurveKey(domain: string, publicKey: string | Uint8Array): Promise<ChangeReceipt> {
    this.#checkOpen()
    checkDomain(domain)
    const key = normalizeCurveKey(publicKey, "publicKey")
    tableOf(this.#curve, domain).set(key, { state: "revoked" })
    const receipt = this.#changed()
    this.emit("credential:revoked", { domain, publicKey: key })
    return receipt
  }

  /**
   * Sets a PLAIN user's password under `domain`, replacing any previous one (and lifting the
   * user's tombstone at that level). The password (its UTF-8 bytes, as a client sends them) is
   * kept only as a keyed digest.
   *
   * Rejects with {@link AuthenticatorError} naming `domain`, `username` or `password` (never its value).
   */
  async setPassword(domain: string, username: string, password: string): Promise<ChangeReceipt> {
    this.#checkOpen()
    checkDomain(domain)
    checkUsername(username)
    if (typeof password !== "string") throw new AuthenticatorError(`password must be a string, got ${typeof password}`)
    this.#replaceUser(domain, username, { state: "active", digest: this.#digester.digest(password) })
    return this.#changed()
  }

  /**
   * Removes a PLAIN user under `domain` with a tombstone, as a revocation: the user is denied
   * ("User removed") under that domain even if `"*"` has them, and, removed under `"*"`, under
   * every domain. `setPassword` at the tombstone's own level lifts it. Emits `credential:revoked`,
   * whether or not the user existed.
   *
   * Rejects with {@link AuthenticatorError} naming `domain` or `username`.
   */
  async removeUser(domain: string, username: string): Promise<ChangeReceipt> {
    this.#checkOpen()
    checkDomain(domain)
    checkUsername(username)
    this.#replaceUser(domain, username, { state: "removed" })
    const receipt = this.#changed()
    this.emit("credential:revoked", { domain, username })
    return receipt
  }

  /**
   * Reports whether this store applied `receipt` (a memory store is a fleet of one node, named
   * by `options.node`): applied once its generation reached the receipt's, else pending.
   * Resolves at once; `options.timeoutMs` is validated and otherwise unused.
   *
   * Rejects with {@link AuthenticatorError} naming `receipt` or `options.timeoutMs`.
   */
  async waitForFleet(receipt: ChangeReceipt, options: WaitForFleetOptions = {}): Promise<FleetReport> {
    const started = performance.now()
    if (
      receipt === null ||
      typeof receipt !== "object" ||
      !Number.isSafeInteger(receipt.generation) ||
      receipt.generation < 0
    ) {
      throw new AuthenticatorError("receipt must be a ChangeReceipt with a non-negative integer generation")
    }
    const timeoutMs = options?.timeoutMs
    if (timeoutMs !== undefined && !(typeof timeoutMs === "number" && timeoutMs >= 0)) {
      throw new AuthenticatorError("options.timeoutMs must be a non-negative number of milliseconds")
    }
    const applied = receipt.generation <= this.#generation
    return {
      applied: applied ? [this.#node] : [],
      pending: applied ? [] : [this.#node],
      elapsedMs: performance.now() - started,
    }
  }

  /**
   * Decides a CURVE client key: 200 with the entry's user id (when it has one), 400 "Key revoked"
   * when a tombstone under the domain or `"*"` names it, 400 "Key expired" past its `notAfter`,
   * `false` (400 "Unknown key") when neither level has it, 300 while unavailable.
   *
   * @throws the signal's reason when `check.signal` is already aborted, {@link AuthenticatorError} once closed
   */
  checkCurveKey(domain: string, publicKey: string, check?: CredentialCheck): CredentialVerdict {
    this.#beginCheck(check)
    if (!this.#available) return UNAVAILABLE
    const own = this.#curve.get(domain)?.get(publicKey)
    const fallback = domain === FALLBACK_DOMAIN ? undefined : this.#curve.get(FALLBACK_DOMAIN)?.get(publicKey)
    if (own?.state === "revoked" || fallback?.state === "revoked") return { statusCode: 400, statusText: "Key revoked" }
    const record = own ?? fallback
    if (record === undefined) return false
    if (record.notAfter !== undefined && Date.now() >= record.notAfter) {
      return { statusCode: 400, statusText: "Key expired" }
    }
    return record.userId === undefined ? { statusCode: 200 } : { statusCode: 200, userId: record.userId }
  }

  /**
   * Decides a PLAIN user name and password: 200 when the user's record (under the domain, else
   * under `"*"`) has that password; 400 "User removed" when a tombstone under the domain or `"*"`
   * names the user, "Invalid username" or "Invalid password" otherwise; 300 while unavailable.
   * `password` is read during this call only and never kept.
   *
   * @throws the signal's reason when `check.signal` is already aborted, {@link AuthenticatorError} once closed
   */
  checkPlain(domain: string, username: string, password: Buffer, check?: CredentialCheck): CredentialVerdict {
    this.#beginCheck(check)
    if (!this.#available) return UNAVAILABLE
    const own = this.#users.get(domain)?.get(username)
    const fallback = domain === FALLBACK_DOMAIN ? undefined : this.#users.get(FALLBACK_DOMAIN)?.get(username)
    if (own?.state === "removed" || fallback?.state === "removed") {
      return { statusCode: 400, statusText: "User removed" }
    }
    const record = own ?? fallback
    if (record === undefined) return { statusCode: 400, statusText: "Invalid username" }
    return this.#digester.matches(record.digest, password)
      ? { statusCode: 200, userId: username }
      : { statusCode: 400, statusText: "Invalid password" }
  }

  /**
   * Forgets every credential (password digests are zeroed) and refuses further use: changes then
   * reject and checks throw with {@link AuthenticatorError}. Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    for (const users of this.#users.values()) {
      for (const record of users.values()) if (record.state === "active") this.#digester.erase(record.digest)
    }
    this.#users.clear()
    this.#curve.clear()
    this.#digester.dispose()
  }

  /** {@link MemoryCredentialStore.close}, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  #checkOpen(): void {
    if (this.#closed) throw new AuthenticatorError("MemoryCredentialStore is closed")
  }

  #beginCheck(check: CredentialCheck | undefined): void {
    this.#checkOpen()
    check?.signal?.throwIfAborted()
  }

  #replaceUser(domain: string, username: string, record: UserRecord): void {
    const users = tableOf(this.#users, domain)
    const previous = users.get(username)
    users.set(username, record)
    if (previous?.state === "active") this.#digester.erase(previous.digest)
  }

  #changed(): ChangeReceipt {
    this.#generation += 1
    return { generation: this.#generation }
  }
}

function tableOf<T>(tables: Map<string, Map<string, T>>, domain: string): Map<string, T> {
  let table = tables.get(domain)
  if (table === undefined) {
    table = new Map()
    tables.set(domain, table)
  }
  return table
}

function checkDomain(domain: unknown): asserts domain is string {
  if (typeof domain !== "string") throw new AuthenticatorError(`domain must be a string, got ${typeof domain}`)
}

function checkUsername(username: unknown): asserts username is string {
  if (typeof username !== "string") throw new AuthenticatorError(`username must be a string, got ${typeof username}`)
}
