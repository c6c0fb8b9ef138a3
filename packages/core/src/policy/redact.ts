import { unpooledUtf8 } from "../unpooled.js"
import type { ZapRequest } from "../zap/request.js"

/**
 * What replaces a PLAIN password in events. It has memory of its own (not Node's shared pool):
 * an event cloned for another thread carries these 10 bytes and nothing next to them.
 */
export const REDACTED = unpooledUtf8("[redacted]")

/** A copy of `request` that is safe to emit: a PLAIN password is replaced by `[redacted]`. */
export function redactRequest(request: ZapRequest): ZapRequest {
  if (
    request === null ||
    typeof request !== "object" ||
    request.mechanism !== "PLAIN" ||
    !Array.isArray(request.credentials) ||
    request.credentials.length < 2
  )
    return request
  return {
    ...request,
    credentials: request.credentials.map((credential, index) => (index === 1 ? REDACTED : credential)),
  }
}
