import { AuthenticatorError } from "../errors.js"
import type { ZapRequest } from "../zap/request.js"
import { replyFrames } from "./reply-frames.js"
import type { ZapExchange } from "./zap-exchange.js"

/**
 * Creates the {@link ZapExchange} of `request`. Its first valid `reply()` hands the encoded
 * frames to `deliver`; later calls throw.
 */
export function createExchange(request: ZapRequest, deliver: (exchange: ZapExchange, frames: Buffer[]) => void): ZapExchange {
  let answered = false
  const exchange: ZapExchange = Object.freeze({
    request,
    get answered() {
      return answered
    },
    reply(reply: Parameters<ZapExchange["reply"]>[0]) {
      if (answered) {
        throw new AuthenticatorError(`ZAP request ${request.requestId.toString("hex")} was already answered`)
      }
      const frames = replyFrames(request.requestId, reply)
      answered = true
      deliver(exchange, frames)
    },
  })
  return exchange
}
