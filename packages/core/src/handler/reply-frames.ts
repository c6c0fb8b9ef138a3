import { messageOf } from "../error-text.js"
import { AuthenticatorError } from "../errors.js"
import { encodeZapReply, type ZapReply } from "../zap/reply.js"

const STATUS_CODES = new Set<unknown>([200, 300, 400, 500])

/**
 * Completes `reply` with `requestId` and encodes its six ZAP frames. Throws
 * {@link AuthenticatorError} naming what is malformed; nothing is sent then.
 */
export function replyFrames(requestId: Buffer, reply: Omit<ZapReply, "requestId">): Buffer[] {
  if (typeof reply !== "object" || reply === null) throw new AuthenticatorError("a ZAP reply must be an object")
  if (!STATUS_CODES.has(reply.statusCode)) {
    throw new AuthenticatorError(
      `a ZAP reply's statusCode must be 200, 300, 400 or 500, got ${String(reply.statusCode)}`
    )
  }
  if (typeof reply.statusText !== "string") throw new AuthenticatorError("a ZAP reply's statusText must be a string")
  if (typeof reply.userId !== "string") throw new AuthenticatorError("a ZAP reply's userId must be a string")
  try {
    const { statusCode, statusText, userId, metadata } = reply
    return encodeZapReply(
      metadata === undefined
        ? { requestId, statusCode, statusText, userId }
        : { requestId, statusCode, statusText, userId, metadata }
    )
  } catch (error) {
    throw new AuthenticatorError(`a ZAP reply cannot be encoded: ${messageOf(error)}`, { cause: error })
  }
}
