import { decodeToByteString } from "../zap/z85.js"
import type { CredentialCheck, CredentialStore, CredentialVerdict } from "./credential-store.js"

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

/**
 * Accepted CURVE keys, indexed by their 32 raw bytes (as a latin1 string, so a request's key is
 * looked up without encoding it) with the Z85 text as the value.
 */
export type CurveKeySet = ReadonlyMap<string, string>

/** The CURVE policy of one domain. */
export type CurvePolicy =
  | { readonly kind: "any" }
  | { readonly kind: "keys"; readonly keys: CurveKeySet }
  | { readonly kind: "callback"; readonly callback: CurveKeyCallback }
  | { readonly kind: "store"; readonly store: CredentialStore }

/** Builds a {@link CurveKeySet} from Z85 keys already validated. */
export function curveKeySet(z85Keys: Iterable<string>): CurveKeySet {
  const keys = new Map<string, string>()
  for (const key of z85Keys) keys.set(decodeToByteString(key), key)
  return keys
}
