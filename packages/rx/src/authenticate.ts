import { AuthenticatorError, redactRequest, type Authenticator, type ZapReply, type ZapRequest } from "@zmq-auth/core"
import {
  asError,
  callListener,
  checkConcurrency,
  decideNowOf,
  DEFAULT_CONCURRENCY,
  isPromiseLike,
  type DecideNow,
} from "@zmq-auth/core/internal"
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
  const decideNow = decideNowOf(engine)
  return (source) =>
    defer(() => {
      const ending = new AbortController()
      return source.pipe(
        // mergeMap calls its project only once a slot is free: a waiting exchange is not decided yet.
        mergeMap((exchange) => decide(engine, decideNow, exchange, ending.signal), concurrency),
        filter((decision): decision is ZapDecision => decision !== undefined),
        finalize(() => ending.abort(new AuthenticatorError("the authenticate() subscription ended")))
      )
    })
}

/**
 * The decision of `exchange` (undefined when it was answered elsewhere meanwhile): at once when
 * the engine decides at once, so the reply goes out before the next exchange is read.
 */
function decide(
  engine: Pick<Authenticator, "authenticate">,
  decideNow: DecideNow,
  exchange: ZapExchange,
  signal: AbortSignal
): [ZapDecision | undefined] | Promise<ZapDecision | undefined> {
  const { request } = exchange
  const blocked = blockedAnswer(exchange)
  if (blocked !== undefined) return [reportBlocked(engine, request, blocked)]
  let decided: ZapReply | PromiseLike<ZapReply>
  try {
    decided = decideNow(request, { signal })
  } catch (cause) {
    return [answer(exchange, { cause })]
  }
  if (!isPromiseLike(decided)) return [answer(exchange, { reply: decided })]
  return Promise.resolve(decided).then(
    (reply) => answer(exchange, { reply }),
    (cause: unknown) => answer(exchange, { cause })
  )
}

/** Replies to `exchange` with the engine's reply, or 500 when the engine failed. */
function answer(exchange: ZapExchange, outcome: { reply: ZapReply } | { cause: unknown }): ZapDecision | undefined {
  const { request } = exchange
  // The exchange replies to its own request id, whatever the reply's says.
  let reply: Omit<ZapReply, "requestId"> & { requestId?: Buffer } = INTERNAL_ERROR
  let error: Error | undefined
  if ("cause" in outcome) {
    error = asError(outcome.cause, AuthenticatorError)
  } else if (outcome.reply?.statusCode === 200 && !outcome.reply.requestId?.equals(request.requestId)) {
    error = new AuthenticatorError("authenticate() allowed with a reply for another request id")
  } else {
    reply = outcome.reply
  }
  if (exchange.answered) return undefined
  try {
    exchange.reply(reply)
  } catch (failure) {
    if (exchange.answered) return undefined
    error = asError(failure, AuthenticatorError)
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
