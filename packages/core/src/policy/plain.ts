import { AuthenticatorError } from "../errors.js"
import { unpooledUtf8 } from "../unpooled.js"

/**
 * Compares `given` with `expected`, the bytes of a stored password held as a byte string (one
 * character per byte, see {@link PasswordTable}), in time that depends only on the length of
 * `given` (what the client sent), never on the content or length of the stored password: the
 * loop always reads `given.length` bytes, cycling over `expected` when it is shorter or longer,
 * with no early exit and no division.
 */
export function constantTimeEqual(expected: string, given: Uint8Array): boolean {
  const length = expected.length
  let difference = length ^ given.length
  for (let index = 0, cycled = 0; index < given.length; index++) {
    // charCodeAt past the end (only for an empty password) is NaN, which `^` reads as 0.
    difference |= given[index]! ^ expected.charCodeAt(cycled)
    if (++cycled >= length) cycled = 0
  }
  return difference === 0
}

/**
 * The PLAIN passwords of one domain, compared in constant time (see {@link constantTimeEqual}):
 * timing reveals neither a stored password's content nor its length.
 */
export class PasswordTable {
  /**
   * Username to the UTF-8 bytes of the password as a byte string: one compact heap string per
   * user, read without a second object (a Buffer per user costs three, and a cache miss each).
   */
  readonly #passwords: ReadonlyMap<string, string>

  /** Throws {@link AuthenticatorError} when a username or password is not a string. */
  constructor(passwords: Record<string, string> | ReadonlyMap<string, string>) {
    if (passwords === null || typeof passwords !== "object") {
      throw new AuthenticatorError("passwords must be an object or a Map of username to password")
    }
    const entries = passwords instanceof Map ? [...passwords.entries()] : Object.entries(passwords)
    const table = new Map<string, string>()
    for (const [username, password] of entries) {
      if (typeof username !== "string" || typeof password !== "string") {
        throw new AuthenticatorError(`the password of user ${JSON.stringify(String(username))} must be a string`)
      }
      table.set(username, passwordBytes(password))
    }
    this.#passwords = table
  }

  /** Number of users. */
  get size(): number {
    return this.#passwords.size
  }

  /** "OK" when the user exists with that password, else "Invalid username" or "Invalid password". */
  check(username: string, password: Uint8Array): "OK" | "Invalid username" | "Invalid password" {
    const expected = this.#passwords.get(username)
    if (expected === undefined) return "Invalid username"
    return constantTimeEqual(expected, password) ? "OK" : "Invalid password"
  }
}

/**
 * The UTF-8 bytes of `password` as a byte string, encoded in memory of its own (never Node's
 * shared Buffer pool, which events cloned for other threads could carry) and wiped after use.
 */
function passwordBytes(password: string): string {
  const bytes = unpooledUtf8(password)
  const text = bytes.toString("latin1")
  bytes.fill(0)
  return text
}
