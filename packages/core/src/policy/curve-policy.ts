import type { CredentialCheck, CredentialStore, CredentialVerdict } from "./credential-store.js"
import type { CurveKeySet } from "./curve-key-set.js"

/**
 * Decides whether a CURVE client key (Z85) may connect to a domain: a boolean, or a full
 * `CredentialVerdict` (300 try again later, a user id, metadata). `check.signal` is aborted
 * when the answer is no longer wanted (timeout, adapter stopping).
 */
export type CurveKeyCallback = (
  domain: string,
  publicKey: string,
  check: CredentialCheck
) => CredentialVerdict | Promise<CredentialVerdict>

/** The CURVE policy of one domain. */
export type CurvePolicy =
  | { readonly kind: "any" }
  | { readonly kind: "keys"; readonly keys: CurveKeySet }
  | { readonly kind: "callback"; readonly callback: CurveKeyCallback }
  | { readonly kind: "store"; readonly store: CredentialStore }
