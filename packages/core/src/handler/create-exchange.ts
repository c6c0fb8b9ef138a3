import { AuthenticatorError } from "../errors.js"
import type { ZapReply } from "../zap/reply.js"
import type { ZapRequest } from "../zap/request.js"
import { replyMessage } from "./reply-message.js"
import type { ZapExchange } from "./zap-exchange.js"

/** Receives an exchange's reply as the message to write: routing id, delimiter, ZAP frames. */
export type DeliverReply = (exchange: ZapExchange, message: Buffer[]) => void

/** The {@link ZapExchange} of one request: its first valid reply is delivered, later ones throw. */
class Exchange implements ZapExchange {
  readonly request: ZapRequest
  readonly #routingId: Buffer
  readonly #deliver: DeliverReply
  #answered = false

  constructor(request: ZapRequest, routingId: Buffer, deliver: DeliverReply) {
    this.request = request
    this.#routingId = routingId
    this.#deliver = deliver
  }

  get answered(): boolean {
    return this.#answered
  }

  reply(reply: Omit<ZapReply, "requestId">): void {
    if (this.#answered) {
      throw new AuthenticatorError(`ZAP request ${this.request.requestId.toString("hex")} was already answered`)
    }
    const message = replyMessage(this.#routingId, this.request.requestId, reply)
    this.#answered = true
    this.#deliver(this, message)
  }
}

/**
 * Creates the {@link ZapExchange} of `request`, received from the peer `routingId`. Its first
 * valid `reply()` hands the encoded message to `deliver`; later calls throw.
 */
export function createExchange(request: ZapRequest, routingId: Buffer, deliver: DeliverReply): ZapExchange {
  return new Exchange(request, routingId, deliver)
}
