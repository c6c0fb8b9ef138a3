import type { GuardBlock, ZapReply, ZapRequest } from "@zmq-auth/core"

export type { ZapExchange } from "@zmq-auth/core/internal"

/** A request and the reply that was sent for it, as {@link authenticate} emits it. */
export interface ZapDecision {
  /** The request, with a PLAIN password replaced by `[redacted]`. */
  request: ZapRequest
  /** The reply sent back to libzmq. */
  reply: ZapReply
  /** Why the request was denied with 500, when the engine or the reply failed. No secrets. */
  error?: Error
  /** Present when a brute-force guard blocked the request (answered 400 without checking it). */
  blocked?: GuardBlock
}
