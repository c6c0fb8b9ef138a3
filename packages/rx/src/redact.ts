import type { ZapRequest } from "@zmq-auth/core"

const REDACTED = Buffer.from("[redacted]")

/** A copy of `request` that is safe to emit or log: a PLAIN password is replaced by `[redacted]`. */
export function redactRequest(request: ZapRequest): ZapRequest {
  if (request.mechanism !== "PLAIN" || request.credentials.length < 2) return request
  return { ...request, credentials: request.credentials.map((credential, index) => (index === 1 ? REDACTED : credential)) }
}
