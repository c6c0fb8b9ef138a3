import type { ZapReply } from "../zap/reply.js"
import type { ZapRequest } from "../zap/request.js"

/**
 * One ZAP request received on the endpoint, waiting for its answer. Every exchange must be
 * answered exactly once with {@link ZapExchange.reply}: the handshake of the client waits for it.
 * Exchanges still unanswered when the endpoint is released are denied with 500 "Internal error".
 */
export interface ZapExchange {
  /** The parsed request. For PLAIN, `credentials` holds the password: never log it as is. */
  readonly request: ZapRequest
  /** Whether this exchange has been answered (by {@link ZapExchange.reply} or by the teardown). */
  readonly answered: boolean
  /**
   * Sends the answer; the request id is taken from the request. Throws `AuthenticatorError`
   * when the exchange was already answered, or when the reply is malformed (a status code other
   * than 200, 300, 400 or 500, a missing status text or user id, undecodable metadata); the
   * exchange then stays unanswered.
   */
  reply(reply: Omit<ZapReply, "requestId">): void
}
