/**
 * Snapshots of configuration arguments, taken when a configuration method is called: the main
 * thread keeps its calls to replay them on every `start()`, and what a call configures must not
 * change when the caller later changes the object it passed.
 *
 * @module
 */

/**
 * A new `Map` with the entries of `passwords` (read as the core engine reads them: a `Map`'s
 * entries, or an object's own enumerable string-keyed properties). Anything else is returned as
 * it is, for the engine to reject with its own error. Throws what reading the entries throws.
 */
export function copyPasswords(
  passwords: Record<string, string> | Map<string, string>
): Record<string, string> | Map<string, string> {
  if (passwords === null || typeof passwords !== "object") return passwords
  return new Map(passwords instanceof Map ? passwords : Object.entries(passwords))
}

/** A copy of the bytes of a key given as bytes; strings (immutable) and other values as they are. */
export function copyKey(key: string | Uint8Array): string | Uint8Array {
  return key instanceof Uint8Array ? new Uint8Array(key) : key
}
