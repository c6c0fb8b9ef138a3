import { decodeToByteString } from "../zap/z85.js"

/** Decides whether a CURVE client key (Z85) may connect to a domain. */
export type CurveKeyCallback = (domain: string, publicKey: string) => boolean | Promise<boolean>

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

/** Builds a {@link CurveKeySet} from Z85 keys already validated. */
export function curveKeySet(z85Keys: Iterable<string>): CurveKeySet {
  const keys = new Map<string, string>()
  for (const key of z85Keys) keys.set(decodeToByteString(key), key)
  return keys
}
