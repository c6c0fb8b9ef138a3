import { EventEmitter } from "eventemitter3"
import { CURVE_ALLOW_ANY } from "../constants.js"
import type { CertificateReloadEvent } from "../certs/certificate-key-set.js"
import { checkWatchOptions } from "../certs/directory-watcher.js"
import { AuthenticatorError, type CertificateError } from "../errors.js"
import { findRequestFault, type ZapRequest } from "../zap/request.js"
import type { ZapReply } from "../zap/reply.js"
import { z85 } from "../zap/z85.js"
import { AddressList } from "./address-list.js"
import { normalizeCurveKey } from "./curve-key.js"
import { FixedCurveKeySet } from "./curve-key-set.js"
import type { CurveKeyCallback } from "./curve-policy.js"
import { CurveDomains, type ConfigureCurveOptions } from "./curve-domains.js"
import { FALLBACK_DOMAIN, lookupDomain } from "./domain-table.js"
import { FailureGuard, type FailureGuardOptions, type GuardBlock } from "./failure-guard.js"
import { PasswordTable } from "./plain.js"
import { redactRequest } from "./redact.js"
import type { CredentialCheck, CredentialStore } from "./credential-store.js"
import { readCredentialVerdict } from "./credential-verdict.js"
import type { AddCheckOptions, CustomCheck } from "./custom-check.js"
import { ChecksSaturated, DEFAULT_MAX_PENDING_CHECKS, PendingChecks } from "./pending-checks.js"
import { checkPlainWithCopy } from "./plain-store-check.js"
import { callListener } from "../listener-warning.js"
import {
  ALLOW_NULL,
  deny,
  denial,
  internalError,
  TOO_MANY_PENDING,
  withVerdictExtras,
  type Verdict,
} from "./verdict.js"
import { checkFailureOf, markCheckFailure } from "./check-failures.js"
import { metricsRecorder } from "../metrics/current-recorder.js"
import { recordDecision, type DecisionMeasurement } from "../metrics/decision-metrics.js"
import type { MetricsRecorder } from "../metrics/recorder.js"
import { AUTHENTICATE_NOW } from "./authenticate-now.js"

/** Options of {@link Authenticator}. */
export interface AuthenticatorOptions {
  /**
   * Maps an accepted CURVE client key (Z85) to the user id of the connection.
   * Default: the key itself. Overriding {@link Authenticator.curveUserId} in a subclass works too.
   * `check.signal` is aborted when the answer is no longer wanted (timeout, adapter stopping).
   */
  curveUserId?(publicKey: string, request: ZapRequest, check: CredentialCheck): string | Promise<string>
  /**
   * Milliseconds a CURVE key callback or user-id mapper may take before the request is denied
   * with 500 "Internal error". Default 5000.
   */
  callbackTimeoutMs?: number
  /**
   * Asynchronous checks (key callbacks, user-id mappers, stores, custom checks) outstanding at
   * once per ZAP domain of the request, counted until each one's promise really settles. A
   * request that would need one more is answered at once with 300 "Too many pending checks"
   * (try again later); nothing is queued. A positive integer, default 64.
   */
  maxPendingChecks?: number
  /**
   * A brute-force guard (see {@link FailureGuardOptions}): failed PLAIN logins are counted per
   * address and per address and user name within a window; blocked requests are answered 400
   * "Too many failed attempts" without being checked, and their decision events carry
   * `blocked`. Every adapter serving this engine shares it. Default: no guard.
   */
  guard?: FailureGuardOptions | FailureGuard
}

/** Options of one {@link Authenticator.authenticate} call, given by the adapter serving the engine. */
export interface AuthenticateOptions {
  /**
   * Aborted when the adapter no longer wants the answer (it stops): checks still running get
   * their own signal aborted and the request is answered 500 at once.
   */
  signal?: AbortSignal
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
  /** Present when the brute-force guard blocked the request (answered 400 without checking it). */
  blocked?: GuardBlock
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

/** The default `callbackTimeoutMs` of {@link Authenticator}: 5000 milliseconds. */
export const DEFAULT_CALLBACK_TIMEOUT_MS = 5000

const NEVER_ABORTED = new AbortController().signal

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
  readonly #plain = new Map<string, PasswordTable | CredentialStore>()
  readonly #stores = new Set<CredentialStore>()
  readonly #curve = new CurveDomains({
    certificateError: (error) => this.#emitSafely("certificate:error", error),
    reload: (event) => this.#emitSafely("certificates:reload", event),
  })
  readonly #gssapi = new Set<string>()
  readonly #userIdOption: AuthenticatorOptions["curveUserId"]
  readonly #checks: PendingChecks
  readonly #guard: FailureGuard | undefined
  #checksBefore: readonly CustomCheck[] = []
  #checksAfter: readonly CustomCheck[] = []

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
    const maxPendingChecks = options.maxPendingChecks ?? DEFAULT_MAX_PENDING_CHECKS
    if (!Number.isSafeInteger(maxPendingChecks) || maxPendingChecks < 1) {
      throw new TypeError(`maxPendingChecks must be a positive integer, got ${String(maxPendingChecks)}`)
    }
    this.#userIdOption = options.curveUserId
    this.#checks = new PendingChecks(maxPendingChecks, timeoutMs)
    this.#guard =
      options.guard === undefined || options.guard instanceof FailureGuard
        ? options.guard
        : new FailureGuard(options.guard)
  }

  /**
   * Adds addresses (exact, as libzmq reports them, or CIDR subnets) to the allow list: other
   * addresses are denied with 400 "Address not allowed". Allowed addresses still have to pass
   * PLAIN or CURVE. Throws {@link AuthenticatorError} when a deny list exists.
   */
  allow(...addresses: string[]): this {
    if (this.#denyList !== undefined)
      throw new AuthenticatorError("allow() after deny(): use an allow list or a deny list, not both")
    if (addresses.length > 0) this.#allowList = (this.#allowList ?? new AddressList([])).with(addresses)
    return this
  }

  /**
   * Adds addresses (exact or CIDR) to the deny list: they are denied with 400 "Address denied".
   * Throws {@link AuthenticatorError} when an allow list exists.
   */
  deny(...addresses: string[]): this {
    if (this.#allowList !== undefined)
      throw new AuthenticatorError("deny() after allow(): use an allow list or a deny list, not both")
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
  async configureCurve(
    domain: string,
    location: string | typeof CURVE_ALLOW_ANY,
    options: ConfigureCurveOptions = {}
  ): Promise<this> {
    checkDomain(domain)
    checkWatchOptions(options)
    if (options.watch !== undefined && typeof options.watch !== "boolean")
      throw new AuthenticatorError(`watch must be a boolean, got ${typeof options.watch}`)
    if (options.watch === true && this.#curve.closed)
      throw new AuthenticatorError("cannot watch a certificate directory: the Authenticator is closed")
    if (location === CURVE_ALLOW_ANY) {
      this.#curve.set(domain, { kind: "any" })
      return this
    }
    if (typeof location !== "string" || location === "") {
      throw new AuthenticatorError("configureCurve needs a certificate directory or CURVE_ALLOW_ANY")
    }
    await this.#curve.readDirectory(domain, location, options)
    return this
  }

  /**
   * Stops watching every certificate directory (see `configureCurve`'s `watch` option); later
   * calls asking to watch reject. The keys in force stay in force.
   */
  close(): void {
    this.#curve.close()
  }

  #emitSafely<E extends "certificates:reload" | "certificate:error">(
    event: E,
    payload: Parameters<AuthenticatorEvents[E]>[0]
  ): void {
    callListener(event, () =>
      (this.emit as (event: E, payload: Parameters<AuthenticatorEvents[E]>[0]) => boolean)(event, payload)
    )
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
    this.#curve.set(domain, { kind: "keys", keys: new FixedCurveKeySet(accepted) })
    return this
  }

  /**
   * Decides the CURVE keys of `domain` with `callback(domain, publicKeyZ85, check)`, which may
   * be async; `check.signal` is aborted when the answer is no longer wanted (timeout, adapter
   * stopping). A callback that throws, returns a non-boolean or exceeds `callbackTimeoutMs`
   * denies with 500 "Internal error"; past `maxPendingChecks` outstanding calls of the request's
   * domain, requests are answered 300 without calling it.
   */
  configureCurveCallback(domain: string, callback: CurveKeyCallback): this {
    checkDomain(domain)
    if (typeof callback !== "function") throw new AuthenticatorError("configureCurveCallback needs a function")
    this.#curve.set(domain, { kind: "callback", callback })
    return this
  }

  /**
   * Makes `store` the source of credentials of `domain` (`"*"`: every domain without its own
   * entry) for the mechanisms it implements: `checkPlain` replaces the domain's PLAIN entry,
   * `checkCurveKey` its CURVE entry; the other entries stay. A later `configurePlain` or
   * `configureCurve*` of the domain replaces the store's role for that mechanism, and vice versa.
   * Each check gets the request's domain and a `CredentialCheck` (signal aborted on timeout and
   * when the adapter stops) and counts against `maxPendingChecks`. Its `CredentialVerdict`
   * decides: 300 is "try again later", a `userId` replaces the PLAIN user name or `curveUserId`'s;
   * a throw, a malformed verdict or a timeout is 500 "Internal error". The engine does not close
   * the store (see {@link Authenticator.stores}). Throws {@link AuthenticatorError} when `store`
   * implements neither check.
   */
  configureStore(domain: string, store: CredentialStore): this {
    checkDomain(domain)
    if (store === null || typeof store !== "object")
      throw new AuthenticatorError("configureStore needs a CredentialStore object")
    const { checkPlain, checkCurveKey, close } = store
    if (checkPlain !== undefined && typeof checkPlain !== "function")
      throw new AuthenticatorError("the store's checkPlain is not a function")
    if (checkCurveKey !== undefined && typeof checkCurveKey !== "function")
      throw new AuthenticatorError("the store's checkCurveKey is not a function")
    if (close !== undefined && typeof close !== "function")
      throw new AuthenticatorError("the store's close is not a function")
    if (checkPlain === undefined && checkCurveKey === undefined)
      throw new AuthenticatorError("configureStore needs a store with checkPlain or checkCurveKey")
    this.#stores.add(store)
    if (checkPlain !== undefined) this.#plain.set(domain, store)
    if (checkCurveKey !== undefined) this.#curve.set(domain, { kind: "store", store })
    return this
  }

  /**
   * Every store given to {@link Authenticator.configureStore}, still in effect or replaced since:
   * whoever owns the engine closes them (the thread adapter's worker awaits their `close()` when
   * it stops).
   */
  get stores(): CredentialStore[] {
    return [...this.#stores]
  }

  /**
   * Adds a custom check on any request field (see {@link CustomCheck}), run before the built-in
   * policy or after it allowed (`options.stage`, default `"before"`). Checks run in the order
   * they were added; the first verdict that denies (or, before the policy, allows) decides, and
   * it is what the reply and the `decision` event say. Checks count against `maxPendingChecks`
   * and get a signal aborted on timeout and when the adapter stops. Throws
   * {@link AuthenticatorError} when `check` is not a function or the stage is unknown.
   */
  addCheck(check: CustomCheck, options: AddCheckOptions = {}): this {
    if (typeof check !== "function") throw new AuthenticatorError("addCheck needs a function")
    const stage = options?.stage ?? "before"
    if (stage === "before") this.#checksBefore = [...this.#checksBefore, check]
    else if (stage === "after") this.#checksAfter = [...this.#checksAfter, check]
    else
      throw new AuthenticatorError(`addCheck stage must be "before" or "after", got ${JSON.stringify(String(stage))}`)
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
  curveUserId(publicKey: string, request: ZapRequest, check?: CredentialCheck): string | Promise<string> {
    return this.#userIdOption === undefined
      ? publicKey
      : this.#userIdOption(publicKey, request, check ?? { signal: NEVER_ABORTED })
  }

  /**
   * Decides one request. Never rejects: malformed requests are answered 400, failing
   * callbacks 500, requests of a domain with `maxPendingChecks` checks outstanding 300. Emits a
   * `decision` event (PLAIN password redacted). Adapters pass `options.signal` and abort it
   * when they stop.
   */
  async authenticate(request: ZapRequest, options?: AuthenticateOptions): Promise<ZapReply> {
    return this.#authenticateNow(request, options)
  }

  /**
   * The decision of {@link Authenticator.authenticate}, returned at once when it needs no wait
   * (what the adapters call). A subclass that overrides `authenticate()` is asked through it.
   */
  [AUTHENTICATE_NOW](request: ZapRequest, options?: AuthenticateOptions): ZapReply | Promise<ZapReply> {
    return this.authenticate === Authenticator.prototype.authenticate
      ? this.#authenticateNow(request, options)
      : this.authenticate(request, options)
  }

  #authenticateNow(request: ZapRequest, options: AuthenticateOptions | undefined): ZapReply | Promise<ZapReply> {
    const recorder = metricsRecorder()
    const measuring = recorder.enabled
    const started = measuring || this.listenerCount("decision") > 0 ? performance.now() : 0
    let decided: Verdict | Promise<Verdict>
    try {
      decided = this.#decide(request, options?.signal)
    } catch (error) {
      decided = failedVerdict(error)
    }
    if ("then" in decided) {
      return decided.then(
        (verdict) => this.#reply(request, verdict, started, measuring ? recorder : undefined),
        (error: unknown) => this.#reply(request, failedVerdict(error), started, measuring ? recorder : undefined)
      )
    }
    return this.#reply(request, decided, started, measuring ? recorder : undefined)
  }

  /** The reply of `verdict`, once recorded (failed login), measured and announced. */
  #reply(request: ZapRequest, decided: Verdict, started: number, recorder: MetricsRecorder | undefined): ZapReply {
    let verdict = decided
    if (verdict.failedLogin === true && this.#guard !== undefined) {
      try {
        this.#guard.recordFailure(request.address, request.credentials[0]!.toString("utf8"))
      } catch (error) {
        verdict = internalError(error)
      }
    }
    const reply: ZapReply = {
      requestId: Buffer.isBuffer(request?.requestId) ? request.requestId : Buffer.alloc(0),
      statusCode: verdict.statusCode,
      statusText: verdict.statusText,
      userId: verdict.statusCode === 200 ? (verdict.userId ?? "") : "",
    }
    if (verdict.statusCode === 200 && verdict.metadata !== undefined) reply.metadata = { ...verdict.metadata }
    const elapsedMs = started === 0 ? 0 : performance.now() - started
    if (recorder !== undefined) recordDecision(recorder, measureDecision(request, verdict, elapsedMs))
    if (this.listenerCount("decision") > 0) this.#emitDecision(request, reply, elapsedMs, verdict)
    return reply
  }

  #emitDecision(request: ZapRequest, reply: ZapReply, elapsedMs: number, verdict: Verdict): void {
    const event: DecisionEvent = { request: redactRequest(request), reply, elapsedMs }
    if (verdict.error !== undefined) event.error = verdict.error
    if (verdict.blocked !== undefined) event.blocked = verdict.blocked
    callListener("decision", () => this.emit("decision", event))
  }

  #decide(request: ZapRequest, abandon: AbortSignal | undefined): Verdict | Promise<Verdict> {
    const fault = findRequestFault(request)
    if (fault !== undefined) return deny(fault)
    if (this.#allowList !== undefined && !this.#allowList.has(request.address)) return deny("Address not allowed")
    if (this.#denyList?.has(request.address) === true) return deny("Address denied")
    if (this.#guard !== undefined) {
      const blocked = this.#guard.check(
        request.address,
        request.mechanism === "PLAIN" ? request.credentials[0]!.toString("utf8") : undefined
      )
      if (blocked !== undefined) return { statusCode: 400, statusText: this.#guard.statusText, blocked }
    }
    if (this.#checksBefore.length === 0 && this.#checksAfter.length === 0)
      return this.#decideMechanism(request, abandon)
    return this.#decideWithChecks(request, abandon, this.#checksBefore, this.#checksAfter)
  }

  async #decideWithChecks(
    request: ZapRequest,
    abandon: AbortSignal | undefined,
    before: readonly CustomCheck[],
    after: readonly CustomCheck[]
  ): Promise<Verdict> {
    for (const [index, check] of before.entries()) {
      const verdict = await this.#runCheck(check, `custom check #${index} (before)`, request, abandon, undefined)
      if (verdict !== undefined) return verdict
    }
    let decided = await this.#decideMechanism(request, abandon)
    for (const [index, check] of after.entries()) {
      if (decided.statusCode !== 200) return decided
      decided = (await this.#runCheck(check, `custom check #${index} (after)`, request, abandon, decided)) ?? decided
    }
    return decided
  }

  /** Runs one custom check: the verdict it imposes, or undefined when it raises no objection. */
  async #runCheck(
    check: CustomCheck,
    what: string,
    request: ZapRequest,
    abandon: AbortSignal | undefined,
    allowed: Verdict | undefined
  ): Promise<Verdict | undefined> {
    const reply =
      allowed === undefined
        ? undefined
        : {
            requestId: request.requestId,
            statusCode: allowed.statusCode,
            statusText: allowed.statusText,
            userId: allowed.userId ?? "",
          }
    const answer = await this.#checks.run(request.domain, what, abandon, ({ signal }) =>
      check(request, reply === undefined ? { signal } : { signal, reply })
    )
    if (answer === undefined || answer === true) return undefined
    const verdict = readCredentialVerdict(answer, what)
    if (verdict.statusCode !== 200) return denial(verdict, "Denied by check")
    const accepted: Verdict = {
      statusCode: 200,
      statusText: verdict.statusText ?? "OK",
      userId: verdict.userId ?? allowed?.userId ?? "",
    }
    const metadata = verdict.metadata ?? allowed?.metadata
    if (metadata !== undefined) accepted.metadata = metadata
    return accepted
  }

  #decideMechanism(request: ZapRequest, abandon: AbortSignal | undefined): Verdict | Promise<Verdict> {
    switch (request.mechanism) {
      case "NULL":
        return ALLOW_NULL
      case "PLAIN":
        return this.#decidePlain(request, abandon)
      case "CURVE":
        return this.#decideCurve(request, abandon)
      case "GSSAPI":
        return this.#gssapi.has(request.domain) || this.#gssapi.has(FALLBACK_DOMAIN)
          ? { statusCode: 200, statusText: "OK", userId: request.credentials[0]!.toString("utf8") }
          : deny("Unknown domain")
      default:
        return deny("Unknown mechanism")
    }
  }

  #decidePlain(request: ZapRequest, abandon: AbortSignal | undefined): Verdict | Promise<Verdict> {
    const table = lookupDomain(this.#plain, request.domain)
    if (table === undefined) return deny("No passwords defined")
    const username = request.credentials[0]!.toString("utf8")
    if (!(table instanceof PasswordTable)) return this.#askPlainStore(table, username, request, abandon)
    const result = table.check(username, request.credentials[1]!)
    return result === "OK"
      ? { statusCode: 200, statusText: "OK", userId: username }
      : { statusCode: 400, statusText: result, failedLogin: true }
  }

  #decideCurve(request: ZapRequest, abandon: AbortSignal | undefined): Verdict | Promise<Verdict> {
    const policy = this.#curve.lookup(request.domain)
    if (policy === undefined) return deny("Unknown domain")
    switch (policy.kind) {
      case "any":
        return this.#acceptCurve(z85.encode(request.credentials[0]!), request, abandon)
      case "keys": {
        const publicKey = policy.keys.lookup(request.credentials[0]!)
        return publicKey === undefined ? deny("Unknown key") : this.#acceptCurve(publicKey, request, abandon)
      }
      case "callback":
        return this.#askCurve(
          `CURVE key callback of domain ${JSON.stringify(request.domain)}`,
          policy.callback,
          z85.encode(request.credentials[0]!),
          request,
          abandon
        )
      case "store": {
        const { store } = policy
        const ask: CurveKeyCallback = (domain, publicKey, check) => store.checkCurveKey!(domain, publicKey, check)
        return this.#askCurve(
          `credential store (checkCurveKey) of domain ${JSON.stringify(request.domain)}`,
          ask,
          z85.encode(request.credentials[0]!),
          request,
          abandon
        )
      }
    }
  }

  async #askCurve(
    what: string,
    callback: CurveKeyCallback,
    publicKey: string,
    request: ZapRequest,
    abandon: AbortSignal | undefined
  ): Promise<Verdict> {
    const answer = await this.#checks.run(request.domain, what, abandon, (check) =>
      callback(request.domain, publicKey, check)
    )
    const verdict = readCredentialVerdict(answer, what)
    if (verdict.statusCode !== 200) return denial(verdict, "Unknown key")
    const accepted =
      verdict.userId === undefined
        ? await this.#acceptCurve(publicKey, request, abandon)
        : { statusCode: 200 as const, statusText: "OK", userId: verdict.userId }
    return withVerdictExtras(accepted, verdict)
  }

  async #askPlainStore(
    store: CredentialStore,
    username: string,
    request: ZapRequest,
    abandon: AbortSignal | undefined
  ): Promise<Verdict> {
    const what = `credential store (checkPlain) of domain ${JSON.stringify(request.domain)}`
    const answer = await this.#checks.run(request.domain, what, abandon, (check) =>
      checkPlainWithCopy(store, request.domain, username, request.credentials[1]!, check)
    )
    const verdict = readCredentialVerdict(answer, what)
    if (verdict.statusCode !== 200)
      return { ...denial(verdict, "Invalid password"), failedLogin: verdict.statusCode === 400 }
    return withVerdictExtras({ statusCode: 200, statusText: "OK", userId: verdict.userId ?? username }, verdict)
  }

  #acceptCurve(publicKey: string, request: ZapRequest, abandon: AbortSignal | undefined): Verdict | Promise<Verdict> {
    // Neither the option nor an override maps user ids: the key is the user id, nothing to call.
    if (this.#userIdOption === undefined && this.curveUserId === DEFAULT_CURVE_USER_ID)
      return { statusCode: 200, statusText: "OK", userId: publicKey }
    const what = "curveUserId"
    const userId = this.#checks.run(request.domain, what, abandon, (check) =>
      this.curveUserId(publicKey, request, check)
    )
    return typeof userId === "string" ? { statusCode: 200, statusText: "OK", userId } : settleUserId(userId, what)
  }
}

const DEFAULT_CURVE_USER_ID = Authenticator.prototype.curveUserId

async function settleUserId(pending: unknown, what: string): Promise<Verdict> {
  const userId = await pending
  if (typeof userId !== "string")
    throw markCheckFailure(new AuthenticatorError(`${what} returned ${typeof userId}, not a string`), "malformed", what)
  return { statusCode: 200, statusText: "OK", userId }
}

/** The verdict of a decision that threw: 300 when the domain's checks are saturated, else 500. */
function failedVerdict(error: unknown): Verdict {
  return error instanceof ChecksSaturated ? TOO_MANY_PENDING : internalError(error)
}

/** What the metrics record of a decision (see `recordDecision`). */
function measureDecision(request: ZapRequest, verdict: Verdict, elapsedMs: number): DecisionMeasurement {
  const measurement: DecisionMeasurement = {
    mechanism: typeof request?.mechanism === "string" ? request.mechanism : "",
    statusCode: verdict.statusCode,
    domain: typeof request?.domain === "string" ? request.domain : "",
    seconds: elapsedMs / 1000,
  }
  if (verdict.blocked !== undefined) measurement.blocked = verdict.blocked.reason
  if (verdict.statusCode === 300) measurement.cause = verdict === TOO_MANY_PENDING ? "saturated" : "unavailable"
  if (verdict.statusCode === 500) {
    const failure = checkFailureOf(verdict.error)
    measurement.cause = failure?.cause ?? "error"
    if (failure?.cause === "timeout") measurement.timedOut = failure.check
  }
  return measurement
}

/** Throws {@link AuthenticatorError} when `domain` is not a string (a ZAP domain). */
export function checkDomain(domain: unknown): asserts domain is string {
  if (typeof domain !== "string") throw new AuthenticatorError(`a ZAP domain must be a string, got ${typeof domain}`)
}
