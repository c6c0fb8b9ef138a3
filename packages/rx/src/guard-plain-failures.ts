import { FailureGuard, redactRequest, type GuardBlock, type ZapReply, type ZapRequest } from "@zmq-auth/core"
import { messageOf } from "@zmq-auth/core/internal"
import { defer, map, type MonoTypeOperatorFunction } from "rxjs"
import { markBlocked } from "./blocked-exchanges.js"
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

/** The block reported when the clock throws: the request is blocked (fail closed). */
const CLOCK_FAILED: GuardBlock = { reason: "address", failures: 0, retryAfterMs: 0 }

/**
 * A brute-force guard for PLAIN in front of an rx pipeline, built on the core `FailureGuard`:
 * counts, per client address, the PLAIN exchanges answered 400 downstream, and once an address
 * has `maxFailures` of them within `windowMs`, answers its further requests (any mechanism) 400
 * itself until enough failures age out of the window. Blocked exchanges still go downstream,
 * already answered: `authenticate(engine)` emits them as decisions (with `blocked`) and as
 * `decision` events of the engine, like every other denial; a custom operator must skip
 * exchanges whose `answered` is true.
 *
 * @deprecated Prefer the engine's own guard, `new Authenticator({ guard: { maxFailures, windowMs } })`:
 * the same guard on every adapter, counting per address and per address and user name.
 *
 * Each subscription counts on its own. Inproc clients all have the empty address and share one
 * count. Throws `TypeError` naming an invalid option.
 */
export function guardPlainFailures(options: GuardPlainFailuresOptions): MonoTypeOperatorFunction<ZapExchange> {
  if (options === null || typeof options !== "object") throw new TypeError("options must be an object")
  const { maxFailures, windowMs } = options
  if (options.onBlocked !== undefined && typeof options.onBlocked !== "function")
    throw new TypeError("onBlocked must be a function")
  const guardOptions = {
    maxFailures,
    windowMs,
    maxAddressFailures: maxFailures,
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.statusText === undefined ? {} : { statusText: options.statusText }),
  }
  const { statusText } = new FailureGuard(guardOptions)
  const blockedReply: Omit<ZapReply, "requestId"> = { statusCode: 400, statusText, userId: "" }
  return (source) =>
    defer(() => {
      const guard = new FailureGuard(guardOptions)
      return source.pipe(
        map((exchange) => {
          const block = check(guard, exchange.request.address)
          if (block === undefined) return countingFailures(exchange, guard)
          exchange.reply(blockedReply)
          markBlocked(exchange, { block, reply: blockedReply })
          // A throwing listener must not end the stream (and with it the ZAP endpoint).
          safely("onBlocked", () => options.onBlocked?.(redactRequest(exchange.request)))
          return exchange
        })
      )
    })
}

function countingFailures(exchange: ZapExchange, guard: FailureGuard): ZapExchange {
  const { request } = exchange
  return Object.freeze({
    request,
    get answered() {
      return exchange.answered
    },
    reply(reply: Omit<ZapReply, "requestId">) {
      exchange.reply(reply)
      if (request.mechanism === "PLAIN" && reply.statusCode === 400)
        safely("now", () => guard.recordFailure(request.address, request.credentials[0]!.toString("utf8")))
    },
  })
}

/** Why `address` is blocked; a clock that throws blocks (fails closed) rather than ending the stream. */
function check(guard: FailureGuard, address: string): GuardBlock | undefined {
  try {
    return guard.check(address)
  } catch (error) {
    warn("now", error)
    return CLOCK_FAILED
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
  process.emitWarning(`guardPlainFailures: ${what} threw: ${messageOf(error)}`)
}
