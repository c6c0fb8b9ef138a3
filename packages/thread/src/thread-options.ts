import { isAbsolute, resolve } from "node:path"
import { pathToFileURL } from "node:url"
import {
  FailureGuard,
  ZAP_ENDPOINT,
  type CredentialCheck,
  type FailureGuardOptions,
  type ZapRequest,
} from "@zmq-auth/core"
import { checkConcurrency, checkEndpointAddress } from "@zmq-auth/core/internal"
import type { WorkerSettings } from "./messages.js"

/** Options of {@link ThreadAuthenticator}. */
export interface ThreadAuthenticatorOptions {
  /**
   * Not supported: a worker thread cannot share a context object. The worker serves zeromq's
   * global context, which every thread of the process shares.
   */
  context?: never
  /** The ZAP endpoint the worker binds. Default `ZAP_ENDPOINT` (`inproc://zeromq.zap.01`). */
  endpoint?: string
  /**
   * An ES module loaded inside the worker: a file path (relative paths resolve against the
   * current working directory) or a URL. Its exported `createAuthenticator(options)` returns the
   * `Authenticator` (or subclass) to serve; `options` carries `callbackTimeoutMs`,
   * `maxPendingChecks`, `guard` and, when given here, a `curveUserId` that calls back to the main
   * thread. It may configure a credential store (`configureStore`), which then lives in the
   * worker: its events (`STORE_EVENTS`) are re-emitted here and the worker awaits its `close()`
   * when it stops. Default: a plain `Authenticator`.
   */
  module?: string | URL
  /**
   * Maps an accepted CURVE client key (Z85) to the user id, run on the main thread and called
   * by the worker. A throw, a non-string or an answer slower than `callbackTimeoutMs` denies
   * with 500. Default: the key itself. For mapping without a round trip, use `module`.
   */
  curveUserId?: (publicKey: string, request: ZapRequest, check: CredentialCheck) => string | Promise<string>
  /** Milliseconds a CURVE key callback or user-id mapper may take before a 500 deny. Default 5000. */
  callbackTimeoutMs?: number
  /**
   * Asynchronous checks outstanding at once per ZAP domain (the engine's option): a main-thread
   * callback counts until it settles; past the bound requests are answered 300. Default 64.
   */
  maxPendingChecks?: number
  /**
   * The engine's brute-force guard, run in the worker (see the core `FailureGuardOptions`; the
   * clock is the worker's `Date.now`). Blocked requests are answered 400 and their forwarded
   * `decision` events carry `blocked`. Default: no guard.
   */
  guard?: Omit<FailureGuardOptions, "now">
  /** Requests the worker decides at once (the handler's `concurrency`). Default 1024. */
  concurrency?: number
}

/** The worker settings a {@link ThreadAuthenticator} gives each of its workers, but the policy and the exit flag. */
export type ThreadSettings = Omit<WorkerSettings, "policy" | "closed" | "metricsWanted">

const URL_SCHEME = /^[a-z][a-z0-9+.-]+:/i

/**
 * Reads the options of a {@link ThreadAuthenticator}: the settings of its workers (with the
 * shared `decisionsWanted` flag) and the main-thread `curveUserId`. Throws `TypeError` naming the
 * option that is invalid.
 */
export function readThreadOptions(
  options: ThreadAuthenticatorOptions,
  decisionsWanted: Int32Array
): { settings: ThreadSettings; curveUserId: ThreadAuthenticatorOptions["curveUserId"] } {
  if (options === null || typeof options !== "object") throw new TypeError("options must be an object")
  if (options.context !== undefined) {
    throw new TypeError(
      "context cannot be passed to a worker thread: ThreadAuthenticator serves zeromq's global context"
    )
  }
  const endpoint = options.endpoint ?? ZAP_ENDPOINT
  checkEndpointAddress(endpoint)
  const { callbackTimeoutMs, concurrency, curveUserId, maxPendingChecks } = options
  if (
    callbackTimeoutMs !== undefined &&
    (typeof callbackTimeoutMs !== "number" || !Number.isFinite(callbackTimeoutMs) || callbackTimeoutMs <= 0)
  ) {
    throw new TypeError(`callbackTimeoutMs must be a positive number of milliseconds, got ${String(callbackTimeoutMs)}`)
  }
  if (concurrency !== undefined) checkConcurrency(concurrency)
  if (curveUserId !== undefined && typeof curveUserId !== "function")
    throw new TypeError("curveUserId must be a function")
  if (maxPendingChecks !== undefined && (!Number.isSafeInteger(maxPendingChecks) || maxPendingChecks < 1)) {
    throw new TypeError(`maxPendingChecks must be a positive integer, got ${String(maxPendingChecks)}`)
  }
  const settings: ThreadSettings = { endpoint, remoteCurveUserId: curveUserId !== undefined, decisionsWanted }
  if (options.module !== undefined) settings.module = moduleHref(options.module)
  if (callbackTimeoutMs !== undefined) settings.callbackTimeoutMs = callbackTimeoutMs
  if (concurrency !== undefined) settings.concurrency = concurrency
  if (maxPendingChecks !== undefined) settings.maxPendingChecks = maxPendingChecks
  if (options.guard !== undefined) {
    if (options.guard === null || typeof options.guard !== "object" || "now" in options.guard) {
      throw new TypeError(
        "guard must be an object of FailureGuardOptions without now (the clock of the worker is used)"
      )
    }
    void new FailureGuard(options.guard)
    const { maxFailures, windowMs, maxAddressFailures, maxEntries, statusText } = options.guard
    settings.guard = { maxFailures, windowMs }
    if (maxAddressFailures !== undefined) settings.guard.maxAddressFailures = maxAddressFailures
    if (maxEntries !== undefined) settings.guard.maxEntries = maxEntries
    if (statusText !== undefined) settings.guard.statusText = statusText
  }
  return { settings, curveUserId }
}

function moduleHref(module: string | URL): string {
  if (module instanceof URL) return module.href
  if (typeof module !== "string" || module === "") throw new TypeError("module must be a file path or a URL")
  if (URL_SCHEME.test(module) && !isAbsolute(module)) {
    try {
      return new URL(module).href
    } catch {
      throw new TypeError("module must be a file path or a URL")
    }
  }
  return pathToFileURL(resolve(module)).href
}
