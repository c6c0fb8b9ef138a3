import { AuthenticatorError, redactRequest, type Authenticator, type ZapReply, type ZapRequest } from "@zmq-auth/core"
import { asError, callListener, checkConcurrency, DEFAULT_CONCURRENCY } from "@zmq-auth/core/internal"
import { blockedAnswer, type BlockedAnswer } from "./blocked-exchanges.js"
import { defer, filter, finalize, mergeMap, type OperatorFunction } from "rxjs"
import type { ZapDecision, ZapExchange } from "./zap-exchange.js"

/** Options of {@link authenticate}. */
export interface AuthenticateOptions {
  /** Exchanges decided at once; further ones wait in the operator. Default 1024. */
  concurrency?: number
}

const INTERNAL_ERROR = { statusCode: 500, statusText: "Internal error", userId: "" } as const

/**
 * Decides each exchange with `engine` (up to `concurrency` at once), replies, and emits the
 * {@link ZapDecision} that went out, PLAIN password redacted. An engine that throws or rejects
 * (it should not), or whose reply cannot be sent, gets the request denied with 500 "Internal
 * error" and the cause in `error`. Exchanges answered elsewhere in the meantime (for instance
 * by the teardown of `zapRequests`) are skipped. When the subscription ends, the engine is told
 * (the `signal` of `authenticate(request, { signal })`): checks still running (callbacks,
 * stores) get their signal aborted.
 *
 * Throws `TypeError` naming an invalid argument.
 */
export function authenticate(
  engine: Pick<Authenticator, "authenticate">,
  options: AuthenticateOptions = {}
): OperatorFunction<ZapExchange, ZapDecision> {
  if (typeof engine?.authenticate !== "function")
    throw new TypeError("engine must have an authenticate(request) method")
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY
  if (concurrency !== Infinity) checkConcurrency(concurrency)
  return (source) =>
    defer(() => {
      const ending = new AbortController()
      return source.pipe(
        // mergeMap calls its project only once a slot is free: a waiting exchange is not decided yet.
        mergeMap((exchange) => decide(engine, exchange, ending.signal), concurrency),
        filter((decision): decision is ZapDecision => decision !== undefined),
        finalize(() => ending.abort(new AuthenticatorError("the authenticate() subscription ended")))
      )
    })
}

async function decide(
  engine: Pick<Authenticator, "authenticate">,
  exchange: ZapExchange,
  signal: AbortSignal
): Promise<ZapDecision | undefined> {
  const { request } = exchange
  const blocked = blockedAnswer(exchange)
  if (blocked !== undefined) return reportBlocked(engine, request, blocked)
  // The exchange replies to its own request id, whatever the reply's says.
  let reply: Omit<ZapReply, "requestId"> & { requestId?: Buffer }
  let error: Error | undefined
  try {
    const decided: ZapReply = await engine.authenticate(request, { signal })
    if (decided?.statusCode === 200 && !decided.requestId?.equals(request.requestId)) {
      throw new AuthenticatorError("authenticate() allowed with a reply for another request id")
    }
    reply = decided
  } catch (cause) {
    error = asError(cause, AuthenticatorError)
    reply = INTERNAL_ERROR
  }
  if (exchange.answered) return undefined
  try {
    exchange.reply(reply)
  } catch (cause) {
    if (exchange.answered) return undefined
    error = asError(cause, AuthenticatorError)
    reply = INTERNAL_ERROR
    exchange.reply(reply)
  }
  const decision: ZapDecision = {
    request: redactRequest(request),
    reply: { ...reply, requestId: request.requestId },
  }
  if (error !== undefined) decision.error = error
  return decision
}

/**
 * The decision for an exchange `guardPlainFailures` answered itself, also emitted as a
 * `decision` event of `engine` when it is an event emitter (as `Authenticator` is), so
 * `decisions(engine)` sees it like every other denial.
 */
function reportBlocked(
  engine: Pick<Authenticator, "authenticate">,
  request: ZapRequest,
  answer: BlockedAnswer
): ZapDecision {
  const decision: ZapDecision = {
    request: redactRequest(request),
    reply: { ...answer.reply, requestId: request.requestId },
    blocked: answer.block,
  }
  const emit = (engine as { emit?: unknown }).emit
  if (typeof emit === "function") {
    callListener("decision", () => emit.call(engine, "decision", { ...decision, elapsedMs: 0 }))
  }
  return decision
}
