import { messageOf } from "../error-text.js"
import { AuthenticatorError } from "../errors.js"
import { encodeRoutedZapReply, type ZapReply } from "../zap/reply.js"

const STATUS_CODES = new Set<unknown>([200, 300, 400, 500])

/**
 * The message answering `requestId` of the peer `routingId` with `reply`: routing id, empty
 * delimiter and the six ZAP frames. Throws {@link AuthenticatorError} naming what is malformed;
 * nothing is sent then.
 */
export function replyMessage(routingId: Buffer, requestId: Buffer, reply: Omit<ZapReply, "requestId">): Buffer[] {
  if (typeof reply !== "object" || reply === null) throw new AuthenticatorError("a ZAP reply must be an object")
  const { statusCode, statusText, userId, metadata } = reply
  if (!STATUS_CODES.has(statusCode)) {
    throw new AuthenticatorError(`a ZAP reply's statusCode must be 200, 300, 400 or 500, got ${String(statusCode)}`)
  }
  if (typeof statusText !== "string") throw new AuthenticatorError("a ZAP reply's statusText must be a string")
  if (typeof userId !== "string") throw new AuthenticatorError("a ZAP reply's userId must be a string")
  try {
    return encodeRoutedZapReply(routingId, requestId, statusCode, statusText, userId, metadata)
  } catch (error) {
    throw new AuthenticatorError(`a ZAP reply cannot be encoded: ${messageOf(error)}`, { cause: error })
  }
}
