import type { GuardBlock, ZapReply } from "@zmq-auth/core"
import type { ZapExchange } from "./zap-exchange.js"

/** What {@link guardPlainFailures} answered to an exchange it blocked. */
export interface BlockedAnswer {
  block: GuardBlock
  reply: Omit<ZapReply, "requestId">
}

const answers = new WeakMap<ZapExchange, BlockedAnswer>()

/** Marks `exchange` as answered by the guard, so `authenticate()` reports it as a decision. */
export function markBlocked(exchange: ZapExchange, answer: BlockedAnswer): void {
  answers.set(exchange, answer)
}

/** The guard's answer to `exchange`, if the guard blocked it. */
export function blockedAnswer(exchange: ZapExchange): BlockedAnswer | undefined {
  return answers.get(exchange)
}
