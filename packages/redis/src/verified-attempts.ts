import { createHmac, randomBytes } from "node:crypto"

/**
 * PLAIN attempts already verified by the slow hash, so a returning client costs an HMAC, not a
 * scrypt. An attempt is known by HMAC-SHA256 under a key drawn at random for this process (never
 * stored or sent anywhere) of the domain where the user's record was found, the user name, the
 * password and the record's version: a password change or a removal gives the record a new
 * version, which makes every earlier verification unreachable at once. Neither passwords nor
 * their hashes are kept, only these HMACs; the table holds at most `maxEntries` (oldest go first).
 */
export class VerifiedAttempts {
  readonly #key = randomBytes(32)
  readonly #entries = new Set<string>()
  readonly #maxEntries: number

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries
  }

  /** The identity of an attempt. */
  id(domain: string, username: string, password: Buffer, version: string): string {
    const hmac = createHmac("sha256", this.#key)
    for (const part of [
      Buffer.from(domain, "utf8"),
      Buffer.from(username, "utf8"),
      password,
      Buffer.from(version, "utf8"),
    ]) {
      const length = Buffer.alloc(4)
      length.writeUInt32BE(part.length)
      hmac.update(length).update(part)
    }
    return hmac.digest("base64")
  }

  has(id: string): boolean {
    return this.#entries.has(id)
  }

  add(id: string): void {
    this.#entries.delete(id)
    this.#entries.add(id)
    if (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.values().next().value
      if (oldest !== undefined) this.#entries.delete(oldest)
    }
  }
}
