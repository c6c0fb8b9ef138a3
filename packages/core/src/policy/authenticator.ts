import { EventEmitter } from "eventemitter3"
import { CURVE_ALLOW_ANY } from "../constants.js"
import type { StatusCode } from "../constants.js"
import { CertificateDirectoryWatcher, checkWatchOptions, type CertificateReloadEvent, type WatchOptions } from "../certs/directory-watcher.js"
import { warnNoCertificates } from "../certs/empty-directory-warning.js"
import { readCertificateDirectory, type CertificateDirectory } from "../certs/load.js"
import { AuthenticatorError, type CertificateError } from "../errors.js"
import { findRequestFault, type ZapRequest } from "../zap/request.js"
import type { ZapReply } from "../zap/reply.js"
import { z85 } from "../zap/z85.js"
import { AddressList } from "./address-list.js"
import { normalizeCurveKey } from "./curve-key.js"
import { curveKeySet, type CurveKeyCallback, type CurvePolicy } from "./curve-policy.js"
import { FALLBACK_DOMAIN, lookupDomain } from "./domain-table.js"
import { PasswordTable } from "./plain.js"
import { redactRequest } from "./redact.js"
import { callWithTimeout, messageOf } from "./timeout.js"

/** Options of {@link Authenticator}. */
export interface AuthenticatorOptions {
  /**
   * Maps an accepted CURVE client key (Z85) to the user id of the connection.
   * Default: the key itself. Overriding {@link Authenticator.curveUserId} in a subclass works too.
   */
  curveUserId?(publicKey: string, request: ZapRequest): string | Promise<string>
  /**
   * Milliseconds a CURVE key callback or user-id mapper may take before the request is denied
   * with 500 "Internal error". Default 5000.
   */
  callbackTimeoutMs?: number
}

/** A decision made by {@link Authenticator.authenticate}. */
export interface DecisionEvent {
  /** The request, with a PLAIN password replaced by `[redacted]`. */
  request: ZapRequest
  /** The reply sent back to libzmq. */
  reply: ZapReply
  /** Milliseconds the decision took. */
  elapsedMs: number
  /** Why a request was denied with 500: the callback or mapper failure (no secrets). */
  error?: Error
}

/** Events of {@link Authenticator}. */
export interface AuthenticatorEvents {
  /** Every request decided, allowed or denied. */
  decision: (event: DecisionEvent) => void
  /** A certificate file of a `configureCurve` directory could not be loaded; the others were. */
  "certificate:error": (error: CertificateError) => void
  /**
   * A watched certificate directory was reloaded (or failed to, keeping the last good keys), or
   * `configureCurve` loaded no key at all from a directory (`total: 0`).
   */
  "certificates:reload": (event: CertificateReloadEvent) => void
}

/** Options of {@link Authenticator.configureCurve}. */
export interface ConfigureCurveOptions extends WatchOptions {
  /**
   * Reload the directory when files are added, changed or removed (debounced by `debounceMs`),
   * so revoking a client is deleting its file. Default false.
   */
  watch?: boolean
}

/** The default `callbackTimeoutMs` of {@link Authenticator}: 5000 milliseconds. */
export const DEFAULT_CALLBACK_TIMEOUT_MS = 5000

interface Verdict {
  statusCode: StatusCode
  statusText: string
  userId?: string
  error?: Error
}

const deny = (statusText: string): Verdict => ({ statusCode: 400, statusText })
const ALLOW_NULL: Verdict = { statusCode: 200, statusText: "OK", userId: "anonymous" }

/**
 * The policy engine: decides ZAP requests the way pyzmq's `zmq.auth.Authenticator` does, per
 * ZAP domain with `"*"` as the fallback entry. It does no I/O on the request path; serve it
 * with {@link ZapHandler} (or the thread and rx adapters).
 *
 * Every configuration call replaces one domain's entry at once: a request in progress sees
 * either the old or the new policy, never a mix.
 */
export class Authenticator extends EventEmitter<AuthenticatorEvents> {
  #allowList: AddressList | undefined
  #denyList: AddressList | undefined
  readonly #plain = new Map<string, PasswordTable>()
  readonly #curve = new Map<string, CurvePolicy>()
  readonly #gssapi = new Set<string>()
  readonly #watchers = new Map<string, CertificateDirectoryWatcher>()
  readonly #curveGenerations = new Map<string, number>()
  #closed = false
  readonly #timeoutMs: number
  readonly #userIdOption: AuthenticatorOptions["curveUserId"]

  /** Throws `TypeError` naming the option that is invalid. */
  constructor(options: AuthenticatorOptions = {}) {
    super()
    const timeoutMs = options.callbackTimeoutMs ?? DEFAULT_CALLBACK_TIMEOUT_MS
    if (typeof timeoutMs !== "number" || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new TypeError(`callbackTimeoutMs must be a positive number of milliseconds, got ${String(timeoutMs)}`)
    }
    if (options.curveUserId !== undefined && typeof options.curveUserId !== "function") {
      throw new TypeError("curveUserId must be a function")
    }
    this.#timeoutMs = timeoutMs
    this.#userIdOption = options.curveUserId
  }

  /**
   * Adds addresses (exact, as libzmq reports them, or CIDR subnets) to the allow list: other
   * addresses are denied with 400 "Address not allowed". Allowed addresses still have to pass
   * PLAIN or CURVE. Throws {@link AuthenticatorError} when a deny list exists.
   */
  allow(...addresses: string[]): this {
    if (this.#denyList !== undefined) throw new AuthenticatorError("allow() after deny(): use an allow list or a deny list, not both")
    if (addresses.length > 0) this.#allowList = (this.#allowList ?? new AddressList([])).with(addresses)
    return this
  }

  /**
   * Adds addresses (exact or CIDR) to the deny list: they are denied with 400 "Address denied".
   * Throws {@link AuthenticatorError} when an allow list exists.
   */
  deny(...addresses: string[]): this {
    if (this.#allowList !== undefined) throw new AuthenticatorError("deny() after allow(): use an allow list or a deny list, not both")
    if (addresses.length > 0) this.#denyList = (this.#denyList ?? new AddressList([])).with(addresses)
    return this
  }

  /**
   * Sets the PLAIN users of `domain` (`"*"`: every domain without its own entry), replacing
   * any earlier table. Passwords are compared in constant
   * time: it depends only on the length of the password the client sent.
   */
  configurePlain(domain: string, passwords: Record<string, string> | Map<string, string>): this {
    checkDomain(domain)
    this.#plain.set(domain, new PasswordTable(passwords))
    return this
  }

  /**
   * Sets the CURVE keys of `domain` from a directory of `*.key` certificate files (pyzmq and
   * CZMQ format), or accepts any key with {@link CURVE_ALLOW_ANY}. Bad files are reported as
   * `certificate:error` events and skipped; an unreadable directory rejects with
   * `CertificateError` and leaves the old policy in place. A configuration of the same domain
   * made while the directory is read wins over it. With `{ watch: true }` the directory is
   * reloaded on every change (`certificates:reload` events): exactly the good files are then in
   * force (a deleted or broken file revokes its key); a reload that cannot read the directory
   * at all keeps the last keys. A directory that gives no key at all (nearly always a wrong
   * path) emits a `certificates:reload` event with `total: 0` and a process warning naming it
   * (once per directory).
   */
  async configureCurve(domain: string, location: string | typeof CURVE_ALLOW_ANY, options: ConfigureCurveOptions = {}): Promise<this> {
    checkDomain(domain)
    checkWatchOptions(options)
    if (options.watch !== undefined && typeof options.watch !== "boolean") throw new AuthenticatorError(`watch must be a boolean, got ${typeof options.watch}`)
    if (options.watch === true && this.#closed) throw new AuthenticatorError("cannot watch a certificate directory: the Authenticator is closed")
    if (location === CURVE_ALLOW_ANY) {
      this.#setCurve(domain, { kind: "any" })
      return this
    }
    if (typeof location !== "string" || location === "") {
      throw new AuthenticatorError("configureCurve needs a certificate directory or CURVE_ALLOW_ANY")
    }
    const generation = this.#nextCurveGeneration(domain)
    const loaded = await readCertificateDirectory(location)
    const { certificates, errors } = loaded
    // A configuration of this domain made while the directory was read is newer: it wins.
    if (this.#curveGenerations.get(domain) !== generation) return this
    if (options.watch === true && this.#closed) throw new AuthenticatorError(`cannot watch ${location}: the Authenticator was closed while it was read`)
    const watcher = options.watch === true ? this.#watchDirectory(domain, location, options, loaded) : undefined
    const previous = this.#curve.get(domain)
    this.#setCurve(domain, { kind: "keys", keys: curveKeySet(certificates.keys()) }, watcher)
    for (const error of errors) this.#emitSafely("certificate:error", error)
    if (certificates.size === 0) {
      const removed = previous?.kind === "keys" ? previous.keys.size : 0
      this.#emitSafely("certificates:reload", { domain, directory: location, added: 0, removed, total: 0, errors })
      warnNoCertificates(location, domain)
    }
    return this
  }

  /**
   * Stops watching every certificate directory (see `configureCurve`'s `watch` option); later
   * calls asking to watch reject. The keys in force stay in force.
   */
  close(): void {
    this.#closed = true
    for (const watcher of this.#watchers.values()) watcher.close()
    this.#watchers.clear()
  }

  #nextCurveGeneration(domain: string): number {
    const generation = (this.#curveGenerations.get(domain) ?? 0) + 1
    this.#curveGenerations.set(domain, generation)
    return generation
  }

  #setCurve(domain: string, policy: CurvePolicy, watcher?: CertificateDirectoryWatcher): void {
    if (watcher === undefined) this.#nextCurveGeneration(domain)
    this.#watchers.get(domain)?.close()
    this.#watchers.delete(domain)
    if (watcher !== undefined) this.#watchers.set(domain, watcher)
    this.#curve.set(domain, policy)
  }

  #watchDirectory(domain: string, directory: string, options: WatchOptions, loaded: CertificateDirectory): CertificateDirectoryWatcher {
    const watcher: CertificateDirectoryWatcher = new CertificateDirectoryWatcher(
      directory,
      options,
      ({ certificates, errors }) => {
        const previous = this.#curve.get(domain)
        const before = previous?.kind === "keys" ? previous.keys : new Map<string, string>()
        const keys = curveKeySet(certificates.keys())
        let added = 0
        for (const key of keys.keys()) if (!before.has(key)) added++
        let removed = 0
        for (const key of before.keys()) if (!keys.has(key)) removed++
        this.#curve.set(domain, { kind: "keys", keys })
        this.#emitSafely("certificates:reload", { domain, directory, added, removed, total: keys.size, errors })
      },
      (failure) => {
        const current = this.#curve.get(domain)
        const total = current?.kind === "keys" ? current.keys.size : 0
        this.#emitSafely("certificates:reload", { domain, directory, added: 0, removed: 0, total, errors: [], failure })
      },
    )
    try {
      watcher.start(loaded)
    } catch (error) {
      throw new AuthenticatorError(`cannot watch certificate directory ${directory}: ${messageOf(error)}`, { cause: error })
    }
    return watcher
  }

  #emitSafely<E extends "certificates:reload" | "certificate:error">(event: E, payload: Parameters<AuthenticatorEvents[E]>[0]): void {
    try {
      ;(this.emit as (event: E, payload: Parameters<AuthenticatorEvents[E]>[0]) => boolean)(event, payload)
    } catch (listenerError) {
      process.emitWarning(`a zmq-auth ${event} listener threw: ${messageOf(listenerError)}`)
    }
  }

  /**
   * Sets the accepted CURVE client keys of `domain`: Z85 strings or 32-byte keys. Throws
   * {@link AuthenticatorError} naming the first malformed key's position (nothing is applied).
   */
  configureCurveKeys(domain: string, keys: Iterable<string | Uint8Array>): this {
    checkDomain(domain)
    if (keys === null || typeof (keys as Partial<Iterable<unknown>>)?.[Symbol.iterator] !== "function") {
      throw new AuthenticatorError("configureCurveKeys needs an iterable of keys")
    }
    const accepted: string[] = []
    for (const key of keys) accepted.push(normalizeCurveKey(key, `CURVE key #${accepted.length}`))
    this.#setCurve(domain, { kind: "keys", keys: curveKeySet(accepted) })
    return this
  }

  /**
   * Decides the CURVE keys of `domain` with `callback(domain, publicKeyZ85)`, which may be
   * async. A callback that throws, returns a non-boolean or exceeds `callbackTimeoutMs` denies
   * with 500 "Internal error".
   */
  configureCurveCallback(domain: string, callback: CurveKeyCallback): this {
    checkDomain(domain)
    if (typeof callback !== "function") throw new AuthenticatorError("configureCurveCallback needs a function")
    this.#setCurve(domain, { kind: "callback", callback })
    return this
  }

  /** Allows GSSAPI clients of `domain` (default `"*"`), with their principal as user id. */
  configureGssapi(domain: string = FALLBACK_DOMAIN): this {
    checkDomain(domain)
    this.#gssapi.add(domain)
    return this
  }

  /**
   * The user id of an accepted CURVE client: the `curveUserId` option if given, else the key
   * (Z85) itself. Override in a subclass to map keys to user names.
   */
  curveUserId(publicKey: string, request: ZapRequest): string | Promise<string> {
    return this.#userIdOption === undefined ? publicKey : this.#userIdOption(publicKey, request)
  }

  /**
   * Decides one request. Never rejects: malformed requests are answered 400, failing
   * callbacks 500. Emits a `decision` event (PLAIN password redacted).
   */
  async authenticate(request: ZapRequest): Promise<ZapReply> {
    const started = this.listenerCount("decision") > 0 ? performance.now() : 0
    let verdict: Verdict
    try {
      const decided = this.#decide(request)
      verdict = "then" in decided ? await decided : decided
    } catch (error) {
      verdict = internalError(error)
    }
    const reply: ZapReply = {
      requestId: Buffer.isBuffer(request?.requestId) ? request.requestId : Buffer.alloc(0),
      statusCode: verdict.statusCode,
      statusText: verdict.statusText,
      userId: verdict.statusCode === 200 ? verdict.userId ?? "" : "",
    }
    if (this.listenerCount("decision") > 0) this.#emitDecision(request, reply, started === 0 ? 0 : performance.now() - started, verdict.error)
    return reply
  }

  #emitDecision(request: ZapRequest, reply: ZapReply, elapsedMs: number, error: Error | undefined): void {
    const event: DecisionEvent = { request: redactRequest(request), reply, elapsedMs }
    if (error !== undefined) event.error = error
    try {
      this.emit("decision", event)
    } catch (listenerError) {
      process.emitWarning(`a zmq-auth decision listener threw: ${messageOf(listenerError)}`)
    }
  }

  #decide(request: ZapRequest): Verdict | Promise<Verdict> {
    const fault = findRequestFault(request)
    if (fault !== undefined) return deny(fault)
    if (this.#allowList !== undefined && !this.#allowList.has(request.address)) return deny("Address not allowed")
    if (this.#denyList?.has(request.address) === true) return deny("Address denied")
    switch (request.mechanism) {
      case "NULL":
        return ALLOW_NULL
      case "PLAIN":
        return this.#decidePlain(request)
      case "CURVE":
        return this.#decideCurve(request)
      case "GSSAPI":
        return this.#gssapi.has(request.domain) || this.#gssapi.has(FALLBACK_DOMAIN)
          ? { statusCode: 200, statusText: "OK", userId: request.credentials[0]!.toString("utf8") }
          : deny("Unknown domain")
      default:
        return deny("Unknown mechanism")
    }
  }

  #decidePlain(request: ZapRequest): Verdict {
    const table = lookupDomain(this.#plain, request.domain)
    if (table === undefined) return deny("No passwords defined")
    const username = request.credentials[0]!.toString("utf8")
    const result = table.check(username, request.credentials[1]!)
    return result === "OK" ? { statusCode: 200, statusText: "OK", userId: username } : deny(result)
  }

  #decideCurve(request: ZapRequest): Verdict | Promise<Verdict> {
    const policy = lookupDomain(this.#curve, request.domain)
    if (policy === undefined) return deny("Unknown domain")
    switch (policy.kind) {
      case "any":
        return this.#acceptCurve(z85.encode(request.credentials[0]!), request)
      case "keys": {
        const publicKey = policy.keys.get(request.credentials[0]!.toString("latin1"))
        return publicKey === undefined ? deny("Unknown key") : this.#acceptCurve(publicKey, request)
      }
      case "callback":
        return this.#askCurveCallback(policy.callback, z85.encode(request.credentials[0]!), request)
    }
  }

  async #askCurveCallback(callback: CurveKeyCallback, publicKey: string, request: ZapRequest): Promise<Verdict> {
    const what = `CURVE key callback of domain ${JSON.stringify(request.domain)}`
    const accepted = await callWithTimeout(what, this.#timeoutMs, () => callback(request.domain, publicKey))
    if (typeof accepted !== "boolean") {
      throw new AuthenticatorError(`${what} returned ${typeof accepted}, not a boolean`)
    }
    return accepted ? this.#acceptCurve(publicKey, request) : deny("Unknown key")
  }

  #acceptCurve(publicKey: string, request: ZapRequest): Verdict | Promise<Verdict> {
    // Neither the option nor an override maps user ids: the key is the user id, nothing to call.
    if (this.#userIdOption === undefined && this.curveUserId === DEFAULT_CURVE_USER_ID) return { statusCode: 200, statusText: "OK", userId: publicKey }
    const what = "curveUserId"
    const userId = callWithTimeout(what, this.#timeoutMs, () => this.curveUserId(publicKey, request))
    return typeof userId === "string" ? { statusCode: 200, statusText: "OK", userId } : settleUserId(userId, what)
  }
}

const DEFAULT_CURVE_USER_ID = Authenticator.prototype.curveUserId

async function settleUserId(pending: unknown, what: string): Promise<Verdict> {
  const userId = await pending
  if (typeof userId !== "string") throw new AuthenticatorError(`${what} returned ${typeof userId}, not a string`)
  return { statusCode: 200, statusText: "OK", userId }
}

function internalError(error: unknown): Verdict {
  const cause = error instanceof Error ? error : new AuthenticatorError(messageOf(error))
  return { statusCode: 500, statusText: "Internal error", error: cause }
}

function checkDomain(domain: unknown): asserts domain is string {
  if (typeof domain !== "string") throw new AuthenticatorError(`a ZAP domain must be a string, got ${typeof domain}`)
}
