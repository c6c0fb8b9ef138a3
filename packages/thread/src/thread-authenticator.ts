import {
  AuthenticatorError,
  CURVE_ALLOW_ANY,
  type CertificateError,
  type CertificateReloadEvent,
  type ConfigureCurveOptions,
  type CredentialCheck,
  type CredentialRevokedEvent,
  type CurveKeyCallback,
  type DecisionEvent,
  type ZapProtocolError,
  type ZapRequest,
} from "@zmq-auth/core"
import { callListener } from "@zmq-auth/core/internal"
import { checkCertificateDirectory, checkConfiguration } from "./configuration-check.js"
import { copyKey, copyPasswords } from "./copy-arguments.js"
import { ListenedEmitter } from "./listened-emitter.js"
import type { CallbackRequest, ConfigurationCall } from "./messages.js"
import { RecordedPolicy } from "./recorded-policy.js"
import { readThreadOptions, type ThreadAuthenticatorOptions, type ThreadSettings } from "./thread-options.js"
import { reviveArguments, reviveDecision, reviveReload, reviveRequest } from "./transfer.js"
import { WorkerLifecycle } from "./worker-lifecycle.js"
import { WorkerSession } from "./worker-session.js"

/** Events of {@link ThreadAuthenticator}. Listeners that throw are reported as process warnings. */
export interface ThreadAuthenticatorEvents {
  /** Every request the worker decided, shaped as the core engine's event (Buffers included). */
  decision: (event: DecisionEvent) => void
  /**
   * The worker ended while running (crash, or `process.exit` in a custom module): the ZAP
   * endpoint is unbound, pending configuration calls rejected, `running` is false. Servers
   * hardened with `requireZap` now reject handshakes; call `start()` to recover the full policy.
   */
  "worker:exit": (error: AuthenticatorError) => void
  /** A certificate file of a `configureCurve` directory could not be loaded; the others were. */
  "certificate:error": (error: CertificateError) => void
  /**
   * A certificate directory configured with `{ watch: true }` was reloaded by the worker (or
   * failed to, keeping the last good keys).
   */
  "certificates:reload": (event: CertificateReloadEvent) => void
  /** A malformed ZAP request reached the worker's handler: answered 400 or dropped. */
  "protocol:error": (error: ZapProtocolError) => void
  /** The engine threw while deciding (it should not): the request (PLAIN password redacted) was answered 500. */
  "authenticate:error": (error: Error, request: ZapRequest) => void
  /** A reply could not be handed to libzmq. */
  "reply:error": (error: Error) => void
  /** A message between the threads failed validation and was ignored. */
  "message:error": (error: AuthenticatorError) => void
  /** A credential store configured in the worker (by the `module`'s `createAuthenticator()`) is reachable again. */
  "store:up": () => void
  /** A credential store in the worker cannot be reached: decisions that need it are 300. */
  "store:down": (error: Error) => void
  /** A credential store in the worker answers from entries older than it would like. */
  "store:stale": () => void
  /** A credential store in the worker failed (its `close()` included). */
  "store:error": (error: Error) => void
  /** A credential store in the worker learnt of a revocation: act on live sessions (close and re-bind). */
  "credential:revoked": (event: CredentialRevokedEvent) => void
}

/**
 * Runs the zmq-auth policy engine and its ZAP handler on a `worker_thread`, so ZeroMQ
 * handshakes are decided even while the main thread is busy. Configure it like the core
 * `Authenticator`; every configuration method returns a promise that resolves once the worker
 * applied the call and rejects with the engine's typed error.
 *
 * The main thread keeps the whole policy: calls made before `start()` are validated here and
 * applied by the worker before it binds, and `start()` after a crash re-applies everything.
 * Calls take effect in the order they are made, as on the core engine: a later configuration
 * of a domain replaces an earlier one, even one still reading its certificate directory. Each
 * call copies its arguments (passwords, key bytes) when it is made; changing them afterwards
 * changes nothing.
 */
export class ThreadAuthenticator extends ListenedEmitter<ThreadAuthenticatorEvents> {
  readonly #settings: ThreadSettings
  readonly #curveUserId: ThreadAuthenticatorOptions["curveUserId"]
  readonly #record = new RecordedPolicy()
  /** Certificate directories of calls made while no worker runs, still being listed: `start()` waits for them. */
  readonly #listing = new Set<Promise<void>>()
  readonly #workers: WorkerLifecycle

  /** Throws `TypeError` naming the option that is invalid. */
  constructor(options: ThreadAuthenticatorOptions = {}) {
    // Shared with every worker: 1 while `decision` has listeners here (see `WorkerSettings`).
    const decisionsWanted = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT))
    super("decision", (listening) => Atomics.store(decisionsWanted, 0, listening ? 1 : 0))
    const { settings, curveUserId } = readThreadOptions(options, decisionsWanted)
    this.#settings = settings
    this.#curveUserId = curveUserId
    this.#workers = new WorkerLifecycle(settings.endpoint)
  }

  /** Whether the worker is up, the ZAP endpoint bound, and no stop is under way. */
  get running(): boolean {
    return this.#workers.running
  }

  /** The ZAP endpoint the worker binds. */
  get endpoint(): string {
    return this.#settings.endpoint
  }

  /** The worker's thread id while one exists, for diagnostics. */
  get threadId(): number | undefined {
    return this.#workers.threadId
  }

  /**
   * Starts the worker, applies the policy configured so far, and binds the ZAP endpoint;
   * resolves once handshakes are decided by it. Waits first for a `stop()` under way and for
   * calls still checking a certificate directory. Rejects with `AuthenticatorError` when already
   * started or when the endpoint already has a handler, and with the worker's typed error when
   * the module or the policy cannot be loaded (nothing is left running then).
   *
   * `stop()` wins over a `start()` that has not resolved yet: the start is cancelled and rejects
   * with `AuthenticatorError` ("stop() was called before it started"); once `stop()` resolves,
   * `running` is false, no worker is left and the endpoint is free (a worker that was already
   * spawning is stopped by that `stop()`).
   */
  start(): Promise<void> {
    return this.#workers.start(
      this.#listing,
      () =>
        new WorkerSession(
          { ...this.#settings, policy: this.#record.calls },
          {
            decision: (event) => this.#emitSafely("decision", reviveDecision(event)),
            reload: (event) => this.#emitSafely("certificates:reload", reviveReload(event)),
            storeEvent: (name, args) => this.#emitSafely(name, ...reviveArguments(args)),
            report: (event, error, request) =>
              this.#emitSafely(event, error, ...(request === undefined ? [] : [request])),
            callback: (request, check) => this.#runCallback(request, check),
            exit: (error) => this.#emitSafely("worker:exit", error),
          }
        )
    )
  }

  /**
   * Answers the requests in flight, unbinds the ZAP endpoint and ends the worker; nothing is
   * left that keeps the process alive. The policy is kept for a later `start()`. Idempotent.
   * Cancels a `start()` that has not resolved yet (it rejects); once this resolves, `running`
   * is false and the endpoint is free.
   */
  stop(): Promise<void> {
    return this.#workers.stop()
  }

  /** Same as {@link ThreadAuthenticator.stop}, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop()
  }

  /**
   * Adds addresses (exact or CIDR) to the allow list: other addresses are denied with 400
   * "Address not allowed". Rejects with `AuthenticatorError` when a deny list exists.
   */
  allow(...addresses: string[]): Promise<void> {
    return this.#configure({ method: "allow", addresses: [...addresses] })
  }

  /**
   * Adds addresses (exact or CIDR) to the deny list: they are denied with 400 "Address denied".
   * Rejects with `AuthenticatorError` when an allow list exists.
   */
  deny(...addresses: string[]): Promise<void> {
    return this.#configure({ method: "deny", addresses: [...addresses] })
  }

  /**
   * Sets the PLAIN users of `domain` (`"*"`: every domain without its own entry). The users are
   * copied now: changing `passwords` afterwards changes nothing.
   */
  configurePlain(domain: string, passwords: Record<string, string> | Map<string, string>): Promise<void> {
    let copied: Record<string, string> | Map<string, string>
    try {
      copied = copyPasswords(passwords)
    } catch (error) {
      return Promise.reject(new AuthenticatorError("configurePlain could not read the passwords", { cause: error }))
    }
    return this.#configure({ method: "configurePlain", domain, passwords: copied })
  }

  /**
   * Sets the CURVE keys of `domain` from a directory of `*.key` certificate files, read by the
   * worker, or accepts any key with `CURVE_ALLOW_ANY`. Rejects with `CertificateError` when the
   * directory cannot be read; bad files are reported as `certificate:error` events. With
   * `{ watch: true }` the worker reloads the directory on every change (`debounceMs`, default
   * 100; `pollMs`, default 1000, notices a directory replaced by another) and
   * `certificates:reload` events report each reload.
   */
  configureCurve(
    domain: string,
    location: string | typeof CURVE_ALLOW_ANY,
    options: ConfigureCurveOptions = {}
  ): Promise<void> {
    if (location === CURVE_ALLOW_ANY) return this.#configure({ method: "configureCurve", domain, location: null })
    if (typeof location !== "string" || location === "") {
      return Promise.reject(new AuthenticatorError("configureCurve needs a certificate directory or CURVE_ALLOW_ANY"))
    }
    if (options === null || typeof options !== "object")
      return Promise.reject(new AuthenticatorError("configureCurve options must be an object"))
    const watch: { watch?: boolean; debounceMs?: number; pollMs?: number } = {}
    if (options.watch !== undefined) watch.watch = options.watch
    if (options.debounceMs !== undefined) watch.debounceMs = options.debounceMs
    if (options.pollMs !== undefined) watch.pollMs = options.pollMs
    return this.#configure({ method: "configureCurve", domain, location, options: watch })
  }

  /**
   * Sets the accepted CURVE client keys of `domain` (Z85 strings or 32-byte keys), copied now.
   * Rejects with `AuthenticatorError` naming the first malformed key's position; nothing is
   * applied then.
   */
  configureCurveKeys(domain: string, keys: Iterable<string | Uint8Array>): Promise<void> {
    if (keys === null || typeof (keys as Partial<Iterable<unknown>>)?.[Symbol.iterator] !== "function") {
      return Promise.reject(new AuthenticatorError("configureCurveKeys needs an iterable of keys"))
    }
    let listed: Array<string | Uint8Array>
    try {
      listed = Array.from(keys, copyKey)
    } catch (error) {
      return Promise.reject(new AuthenticatorError("configureCurveKeys could not iterate the keys", { cause: error }))
    }
    return this.#configure({ method: "configureCurveKeys", domain, keys: listed })
  }

  /**
   * Decides the CURVE keys of `domain` with `callback(domain, publicKeyZ85, check)`, which runs
   * on the main thread. A throw, a non-boolean, or no answer within `callbackTimeoutMs` (a busy
   * main thread included) denies with 500; `check.signal` is then aborted (and when the worker
   * stops). A call counts against `maxPendingChecks` until it settles here.
   */
  async configureCurveCallback(domain: string, callback: CurveKeyCallback): Promise<void> {
    if (typeof callback !== "function") throw new AuthenticatorError("configureCurveCallback needs a function")
    const callbackId = this.#record.registerCallback(callback)
    try {
      await this.#configure({ method: "configureCurveCallback", domain, callbackId })
    } catch (error) {
      this.#record.unregisterCallback(callbackId)
      throw error
    }
  }

  /** Allows GSSAPI clients of `domain` (default `"*"`), with their principal as user id. */
  configureGssapi(domain = "*"): Promise<void> {
    return this.#configure({ method: "configureGssapi", domain })
  }

  /**
   * Numbers `call` and dispatches it at once, so calls take effect in the order they are made: a
   * live worker applies them one by one in the order they were posted; otherwise (no worker, or
   * one stopping) they are checked and recorded for the next `start()`, which waits for a
   * certificate directory still being listed.
   */
  async #configure(call: ConfigurationCall): Promise<void> {
    const order = this.#record.nextOrder()
    const session = this.#workers.live
    if (session !== undefined) {
      await session.configure(call)
      this.#record.record(call, order)
      return
    }
    checkConfiguration(call, (list) => this.#record.has(list))
    if (call.method === "configureCurve" && call.location !== null) {
      const listing = checkCertificateDirectory(call.location)
      this.#listing.add(listing)
      try {
        await listing
      } finally {
        this.#listing.delete(listing)
      }
    }
    this.#record.record(call, order)
  }

  #runCallback(request: CallbackRequest, check: CredentialCheck): unknown {
    if (request.callback === "curveKey") {
      const callback = this.#record.callback(request.callbackId)
      if (callback === undefined)
        throw new AuthenticatorError(`the CURVE key callback of domain ${JSON.stringify(request.domain)} was replaced`)
      return callback(request.domain, request.publicKey, check)
    }
    if (this.#curveUserId === undefined) throw new AuthenticatorError("no curveUserId callback was given")
    return this.#curveUserId(request.publicKey, reviveRequest(request.request), check)
  }

  #emitSafely(event: keyof ThreadAuthenticatorEvents, ...payload: unknown[]): void {
    callListener(event, () => (this.emit as (event: string, ...payload: unknown[]) => boolean)(event, ...payload))
  }
}
