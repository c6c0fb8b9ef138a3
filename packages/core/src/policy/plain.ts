import { createHash, timingSafeEqual } from "node:crypto"
import { AuthenticatorError } from "../errors.js"

function digest(secret: Uint8Array | string): Buffer {
  return createHash("sha256").update(secret).digest()
}

/**
 * The PLAIN passwords of one domain. Passwords are kept only as SHA-256 digests and compared in
 * constant time (digests of equal length, `timingSafeEqual`), so neither the content nor the
 * length of a stored password leaks through timing.
 */
export class PasswordTable {
  readonly #digests: ReadonlyMap<string, Buffer>

  /** Throws {@link AuthenticatorError} when a username or password is not a string. */
  constructor(passwords: Record<string, string> | ReadonlyMap<string, string>) {
    if (passwords === null || typeof passwords !== "object") {
      throw new AuthenticatorError("passwords must be an object or a Map of username to password")
    }
    const entries = passwords instanceof Map ? [...passwords.entries()] : Object.entries(passwords)
    const digests = new Map<string, Buffer>()
    for (const [username, password] of entries) {
      if (typeof username !== "string" || typeof password !== "string") {
        throw new AuthenticatorError(`the password of user ${JSON.stringify(String(username))} must be a string`)
      }
      digests.set(username, digest(password))
    }
    this.#digests = digests
  }

  /** Number of users. */
  get size(): number {
    return this.#digests.size
  }

  /** "OK" when the user exists with that password, else "Invalid username" or "Invalid password". */
  check(username: string, password: Uint8Array): "OK" | "Invalid username" | "Invalid password" {
    const expected = this.#digests.get(username)
    const given = digest(password)
    if (expected === undefined) return "Invalid username"
    return timingSafeEqual(expected, given) ? "OK" : "Invalid password"
  }
}
