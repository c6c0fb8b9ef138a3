import type { StatusCode } from "../constants.js"
import { AuthenticatorError } from "../errors.js"
import type { CheckedVerdict } from "./credential-verdict.js"
import type { GuardBlock } from "./failure-guard.js"
import { asError } from "../error-text.js"

/** What the engine decided for one request, before it becomes a `ZapReply` and a decision event. */
export interface Verdict {
  statusCode: StatusCode
  statusText: string
  userId?: string
  /** Why the request was answered 500 (no secrets). */
  error?: Error
  /** Set when the brute-force guard blocked the request. */
  blocked?: GuardBlock
  /** A PLAIN login that failed on its credentials: counted by the guard. */
  failedLogin?: boolean
  metadata?: Record<string, string>
}

/** A 400 with `statusText`. */
export const deny = (statusText: string): Verdict => ({ statusCode: 400, statusText })

/** The verdict of every NULL request that reaches the mechanism step. */
export const ALLOW_NULL: Readonly<Verdict> = { statusCode: 200, statusText: "OK", userId: "anonymous" }

/** The verdict of a request whose domain has `maxPendingChecks` checks outstanding. */
export const TOO_MANY_PENDING: Readonly<Verdict> = { statusCode: 300, statusText: "Too many pending checks" }

const TRY_AGAIN_TEXT = "Try again later"

/** The reply to a 300 or 400 verdict, with the engine's own status text unless it gives one. */
export function denial(verdict: CheckedVerdict, denyText: string): Verdict {
  return {
    statusCode: verdict.statusCode,
    statusText: verdict.statusText ?? (verdict.statusCode === 300 ? TRY_AGAIN_TEXT : denyText),
  }
}

/** An allowed verdict with the status text and metadata a store's or callback's verdict gave. */
export function withVerdictExtras(accepted: Verdict, verdict: CheckedVerdict): Verdict {
  if (verdict.statusText !== undefined) accepted.statusText = verdict.statusText
  if (verdict.metadata !== undefined) accepted.metadata = verdict.metadata
  return accepted
}

/** 500 "Internal error" with `error` as the cause the decision event reports. */
export function internalError(error: unknown): Verdict {
  return { statusCode: 500, statusText: "Internal error", error: asError(error, AuthenticatorError) }
}
