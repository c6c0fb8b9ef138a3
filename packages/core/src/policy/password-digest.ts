import { createHmac, randomBytes, timingSafeEqual } from "node:crypto"

const DIGEST_BYTES = 32

/**
 * Keeps PLAIN passwords as HMAC-SHA256 digests under a random key that lives only in this
 * object, so the clear password is never held, and compares a candidate in constant time: both
 * sides are 32-byte digests, so the time depends on neither the stored password's content nor
 * its length. Digests and the key sit in unpooled memory (`Buffer.allocUnsafeSlow`), never in
 * Node's shared Buffer pool, and are zeroed by {@link PasswordDigester.erase} and {@link PasswordDigester.dispose}.
 *
 * A fast keyed digest suits memory that dies with the process; a store that persists passwords
 * (a database, Redis) needs a salted slow hash instead.
 */
export class PasswordDigester {
  readonly #key = unpooledCopy(randomBytes(DIGEST_BYTES))

  /** The digest of `password` (a string is taken as UTF-8), in its own unpooled Buffer. */
  digest(password: string | Uint8Array): Buffer {
    const hmac = createHmac("sha256", this.#key)
    if (typeof password === "string") hmac.update(password, "utf8")
    else hmac.update(password)
    return unpooledCopy(hmac.digest())
  }

  /** Whether `candidate` is the password whose digest is `expected`; reads `candidate` only during the call. */
  matches(expected: Buffer, candidate: Uint8Array): boolean {
    const actual = this.digest(candidate)
    try {
      return timingSafeEqual(expected, actual)
    } finally {
      actual.fill(0)
    }
  }

  /** Zeroes a digest that is no longer used. */
  erase(digest: Buffer): void {
    digest.fill(0)
  }

  /** Zeroes the key: digests made from now on match nothing made before. */
  dispose(): void {
    this.#key.fill(0)
  }
}

/** Moves `source` into a Buffer of its own outside Node's pool and zeroes `source`. */
function unpooledCopy(source: Buffer): Buffer {
  const copy = Buffer.allocUnsafeSlow(source.length)
  source.copy(copy)
  source.fill(0)
  return copy
}
