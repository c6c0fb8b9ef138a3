import { AuthenticatorError } from "../errors.js"
import { isZ85, z85 } from "../zap/z85.js"

/** Length of a CURVE key in Z85 text. */
export const CURVE_KEY_Z85_LENGTH = 40

function describe(value: unknown): string {
  if (typeof value === "string") return `a string of ${value.length} characters`
  if (value instanceof Uint8Array) return `${value.length} bytes`
  return value === null ? "null" : typeof value
}

/**
 * Returns the Z85 text of a CURVE public key given as 40 Z85 characters or 32 bytes.
 * Throws {@link AuthenticatorError} naming `what` (the key's value is never printed).
 */
export function normalizeCurveKey(key: unknown, what = "CURVE key"): string {
  if (typeof key === "string") {
    if (key.length === CURVE_KEY_Z85_LENGTH) {
      // Checked without decoding: a secret key is validated here too.
      if (isZ85(key)) return key
      throw new AuthenticatorError(`${what} has characters outside the Z85 alphabet`)
    }
  } else if (key instanceof Uint8Array && key.length === 32) {
    return z85.encode(key)
  }
  throw new AuthenticatorError(`${what} must be 40 Z85 characters or 32 bytes, got ${describe(key)}`)
}
