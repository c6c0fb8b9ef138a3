import { AuthenticatorError } from "../errors.js"

/**
 * Compares `given` with `expected` in time that depends only on the length of `given` (what the
 * client sent), never on the content or length of the stored password.
 */
export function constantTimeEqual(expected: Uint8Array, given: Uint8Array): boolean {
  let difference = expected.length ^ given.length
  if (expected.length === 0) {
    for (let index = 0; index < given.length; index++) difference |= given[index]!
    return difference === 0
  }
  for (let index = 0; index < given.length; index++) difference |= given[index]! ^ expected[index % expected.length]!
  return difference === 0
}

/**
 * The PLAIN passwords of one domain, compared in constant time (see {@link constantTimeEqual}):
 * timing reveals neither a stored password's content nor its length.
 */
export class PasswordTable {
  readonly #passwords: ReadonlyMap<string, Buffer>

  /** Throws {@link AuthenticatorError} when a username or password is not a string. */
  constructor(passwords: Record<string, string> | ReadonlyMap<string, string>) {
    if (passwords === null || typeof passwords !== "object") {
      throw new AuthenticatorError("passwords must be an object or a Map of username to password")
    }
    const entries = passwords instanceof Map ? [...passwords.entries()] : Object.entries(passwords)
    const table = new Map<string, Buffer>()
    for (const [username, password] of entries) {
      if (typeof username !== "string" || typeof password !== "string") {
        throw new AuthenticatorError(`the password of user ${JSON.stringify(String(username))} must be a string`)
      }
      table.set(username, Buffer.from(password, "utf8"))
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
