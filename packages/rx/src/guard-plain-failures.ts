import { redactRequest, type ZapReply, type ZapRequest } from "@zmq-auth/core"
import { defer, filter, map, type MonoTypeOperatorFunction } from "rxjs"
import { FailureWindow } from "./failure-window.js"
import type { ZapExchange } from "./zap-exchange.js"

/** Options of {@link guardPlainFailures}. */
export interface GuardPlainFailuresOptions {
  /** Failed PLAIN attempts within the window that block an address. A positive integer. */
  maxFailures: number
  /** Length of the sliding window, in milliseconds. A block ends when enough failures age out of it. */
  windowMs: number
  /** Status text of the 400 reply to a blocked address. Default "Too many failed attempts". */
  statusText?: string
  /** The clock, in milliseconds. Default `Date.now`. */
  now?: () => number
  /** Called with each request denied because its address is blocked (PLAIN password redacted). */
  onBlocked?: (request: ZapRequest) => void
}

const DEFAULT_STATUS_TEXT = "Too many failed attempts"

/**
 * A brute-force guard for PLAIN: counts, per client address, the PLAIN exchanges answered 400
 * downstream, and once an address has `maxFailures` of them within `windowMs`, answers its
 * further requests (any mechanism) 400 itself, without passing them on, until enough failures
 * age out of the window. Successful logins do not reset the count.
 *
 * Place it before the operator that decides, e.g.
 * `zapRequests().pipe(guardPlainFailures({ maxFailures: 5, windowMs: 60_000 }), authenticate(engine))`.
 * Each subscription counts on its own. Inproc clients all have the empty address and share one count.
 * Failures count when they are answered: attempts already being decided when the limit is
 * reached (with an engine that decides asynchronously) are still answered by it.
 *
 * Throws `TypeError` naming an invalid option.
 */
export function guardPlainFailures(options: GuardPlainFailuresOptions): MonoTypeOperatorFunction<ZapExchange> {
  const { maxFailures, windowMs } = options ?? {}
  if (!Number.isInteger(maxFailures) || maxFailures < 1) throw new TypeError(`maxFailures must be a positive integer, got ${String(maxFailures)}`)
  if (typeof windowMs !== "number" || !(windowMs > 0)) throw new TypeError(`windowMs must be a positive number of milliseconds, got ${String(windowMs)}`)
  if (options.now !== undefined && typeof options.now !== "function") throw new TypeError("now must be a function")
  if (options.onBlocked !== undefined && typeof options.onBlocked !== "function") throw new TypeError("onBlocked must be a function")
  if (options.statusText !== undefined && typeof options.statusText !== "string") throw new TypeError(`statusText must be a string, got ${typeof options.statusText}`)
  const blockedReply: Omit<ZapReply, "requestId"> = { statusCode: 400, statusText: options.statusText ?? DEFAULT_STATUS_TEXT, userId: "" }
  const now = options.now ?? Date.now
  return (source) => defer(() => {
    const failures = new FailureWindow(maxFailures, windowMs, now)
    return source.pipe(
      filter((exchange) => {
        if (!isBlocked(failures, exchange.request.address)) return true
        exchange.reply(blockedReply)
        // A throwing listener must not end the stream (and with it the ZAP endpoint).
        safely("onBlocked", () => options.onBlocked?.(redactRequest(exchange.request)))
        return false
      }),
      map((exchange) => countingFailures(exchange, failures)),
    )
  })
}

function countingFailures(exchange: ZapExchange, failures: FailureWindow): ZapExchange {
  const { request } = exchange
  return Object.freeze({
    request,
    get answered() {
      return exchange.answered
    },
    reply(reply: Omit<ZapReply, "requestId">) {
      exchange.reply(reply)
      if (request.mechanism === "PLAIN" && reply.statusCode === 400) safely("now", () => failures.record(request.address))
    },
  })
}

/** Whether `address` is blocked; a clock that throws blocks (fails closed) rather than ending the stream. */
function isBlocked(failures: FailureWindow, address: string): boolean {
  try {
    return failures.isBlocked(address)
  } catch (error) {
    warn("now", error)
    return true
  }
}

/** Runs a user-supplied callback; what it throws becomes a process warning. */
function safely(what: string, run: () => void): void {
  try {
    run()
  } catch (error) {
    warn(what, error)
  }
}

function warn(what: string, error: unknown): void {
  process.emitWarning(`guardPlainFailures: ${what} threw: ${error instanceof Error ? error.message : String(error)}`)
}
