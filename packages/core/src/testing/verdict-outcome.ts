import { AssertionError } from "node:assert"
import type { CredentialVerdict } from "../policy/credential-store.js"

/** A verdict reduced to what the engine makes of it. */
export interface VerdictOutcome {
  statusCode: 200 | 300 | 400
  userId: string | undefined
}

/**
 * Reads a verdict as the engine does (`true` is 200, `false` 400); a malformed one (another
 * status code, a non-string `userId`, `statusText` or metadata value) fails the test, since the
 * engine would answer it 500.
 */
export function verdictOutcome(verdict: CredentialVerdict, what: string): VerdictOutcome {
  if (verdict === true) return { statusCode: 200, userId: undefined }
  if (verdict === false) return { statusCode: 400, userId: undefined }
  const malformed = (why: string): AssertionError =>
    new AssertionError({ message: `${what} returned a malformed verdict: ${why}` })
  if (verdict === null || typeof verdict !== "object")
    throw malformed(`${typeof verdict} is neither a boolean nor an object`)
  const { statusCode, statusText, userId, metadata } = verdict
  if (statusCode !== 200 && statusCode !== 300 && statusCode !== 400)
    throw malformed(`statusCode ${String(statusCode)}`)
  if (statusText !== undefined && typeof statusText !== "string") throw malformed("statusText is not a string")
  if (userId !== undefined && typeof userId !== "string") throw malformed("userId is not a string")
  if (metadata !== undefined) {
    if (metadata === null || typeof metadata !== "object") throw malformed("metadata is not an object")
    for (const [name, value] of Object.entries(metadata))
      if (typeof value !== "string") throw malformed(`metadata ${name} is not a string`)
  }
  return { statusCode, userId }
}
