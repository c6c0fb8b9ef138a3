import type { ZapReply } from "../zap/reply.js"
import type { ZapRequest } from "../zap/request.js"
import type { CredentialCheck, CredentialVerdict } from "./credential-store.js"

/** When a {@link CustomCheck} runs: before the built-in policy, or after it allowed. */
export type CustomCheckStage = "before" | "after"

/** What a {@link CustomCheck} is given besides the request. */
export interface CustomCheckContext extends CredentialCheck {
  /** `"after"` checks: the reply the built-in policy decided (always a 200). */
  reply?: Readonly<ZapReply>
}

/**
 * A custom check, added with `Authenticator.addCheck`: decides on any request field. Returns
 * `undefined` or `true` to raise no objection, or a `CredentialVerdict` that becomes the reply
 * (and what the `decision` event reports): `false` is 400 "Denied by check", 300 and 400
 * verdicts deny with their status text, a 200 verdict allows with its user id and metadata. A
 * throw, a malformed verdict, or no answer within `callbackTimeoutMs` is 500 "Internal error".
 * For PLAIN requests `request.credentials[1]` holds the password: never log it.
 */
export type CustomCheck = (
  request: ZapRequest,
  context: CustomCheckContext
) => CredentialVerdict | undefined | Promise<CredentialVerdict | undefined>

/** Options of `Authenticator.addCheck`. */
export interface AddCheckOptions {
  /**
   * `"before"` (default): runs before the built-in policy (after the request was validated and
   * passed the address lists and the brute-force guard); a 200 verdict then allows without the
   * built-in policy. `"after"`: runs only for requests the built-in policy allowed, and can
   * only deny them or replace their user id and metadata.
   */
  stage?: CustomCheckStage
}
