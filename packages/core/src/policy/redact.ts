import type { ZapRequest } from "../zap/request.js"

/** What replaces a PLAIN password in events. */
export const REDACTED = Buffer.from("[redacted]")

/** A copy of `request` that is safe to emit: a PLAIN password is replaced by `[redacted]`. */
export function redactRequest(request: ZapRequest): ZapRequest {
  if (request === null || typeof request !== "object" || request.mechanism !== "PLAIN" || !Array.isArray(request.credentials) || request.credentials.length < 2) return request
  return { ...request, credentials: request.credentials.map((credential, index) => (index === 1 ? REDACTED : credential)) }
}
