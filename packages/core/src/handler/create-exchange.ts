import { AuthenticatorError } from "../errors.js"
import type { ZapReply } from "../zap/reply.js"
import type { ZapRequest } from "../zap/request.js"
import { replyFrames } from "./reply-frames.js"
import type { ZapExchange } from "./zap-exchange.js"

/** The {@link ZapExchange} of one request: its first valid reply is delivered, later ones throw. */
class Exchange implements ZapExchange {
  readonly request: ZapRequest
  readonly #deliver: (exchange: ZapExchange, frames: Buffer[]) => void
  #answered = false

  constructor(request: ZapRequest, deliver: (exchange: ZapExchange, frames: Buffer[]) => void) {
    this.request = request
    this.#deliver = deliver
  }

  get answered(): boolean {
    return this.#answered
  }

  reply(reply: Omit<ZapReply, "requestId">): void {
    if (this.#answered) {
      throw new AuthenticatorError(`ZAP request ${this.request.requestId.toString("hex")} was already answered`)
    }
    const frames = replyFrames(this.request.requestId, reply)
    this.#answered = true
    this.#deliver(this, frames)
  }
}

/**
 * Creates the {@link ZapExchange} of `request`. Its first valid `reply()` hands the encoded
 * frames to `deliver`; later calls throw.
 */
export function createExchange(
  request: ZapRequest,
  deliver: (exchange: ZapExchange, frames: Buffer[]) => void
): ZapExchange {
  return new Exchange(request, deliver)
}
