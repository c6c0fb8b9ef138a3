/**
 * Whether a directory entry named `name` is a certificate file to load: `*.key`, except hidden
 * files (names starting with a dot), as pyzmq's `*.key` glob does. Renaming `a.key` to
 * `.a.key` is thus a way to disable a client; `*.key_secret` files are never loaded.
 */
export function isCertificateFileName(name: string): boolean {
  return name.endsWith(".key") && !name.startsWith(".")
}
