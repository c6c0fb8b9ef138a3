const KEPT = /^[A-Za-z0-9._-]$/
const PLAIN_PART = /^[A-Za-z0-9._-]*$/
const BYTE_CODES = Array.from({ length: 256 }, (_, byte) => {
  const character = String.fromCharCode(byte)
  return KEPT.test(character) ? character : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`
})
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/**
 * Encodes one user-supplied part of a key name (a domain, a user name, a Z85 key): every UTF-8
 * byte outside `[A-Za-z0-9._-]` becomes `%XX`. The result never holds `:`, `{` or `}`, two
 * different strings never encode alike, and {@link decodeKeyPart} reverses it. Throws
 * `TypeError` naming `what` for a string with unpaired surrogates (it has no UTF-8 form).
 */
export function encodeKeyPart(value: string, what: string): string {
  if (typeof value !== "string") throw new TypeError(`${what} must be a string, got ${typeof value}`)
  if (PLAIN_PART.test(value)) return value
  if (LONE_SURROGATE.test(value)) throw new TypeError(`${what} holds an unpaired surrogate (not valid Unicode)`)
  let encoded = ""
  for (const byte of Buffer.from(value, "utf8")) encoded += BYTE_CODES[byte]
  return encoded
}

/** Reverses {@link encodeKeyPart}; `undefined` for text it could not have produced. */
export function decodeKeyPart(encoded: string): string | undefined {
  const bytes: number[] = []
  for (let index = 0; index < encoded.length; index++) {
    const character = encoded[index]!
    if (character === "%") {
      const hex = encoded.slice(index + 1, index + 3)
      if (!/^[0-9A-F]{2}$/.test(hex)) return undefined
      bytes.push(Number.parseInt(hex, 16))
      index += 2
    } else if (KEPT.test(character)) {
      bytes.push(character.charCodeAt(0))
    } else {
      return undefined
    }
  }
  const decoded = Buffer.from(bytes).toString("utf8")
  return encodeKeyPart(decoded, "key part") === encoded ? decoded : undefined
}

/** What a credential key names. */
export type CredentialKeyName =
  | { kind: "curve"; domain: string; publicKey: string }
  | { kind: "user"; domain: string; username: string }
  | { kind: "generation" }

/**
 * The key names of one namespace. Every key starts with `{<namespace>}:` (a Redis Cluster hash
 * tag: the whole namespace lives in one slot, so `MULTI` spans it). Credentials and the
 * generation counter live under the tracked prefix `{<namespace>}:c:`, whose changes are
 * broadcast to every store; fleet bookkeeping lives under `{<namespace>}:n:`, which is not.
 *
 * | key | type | holds |
 * |---|---|---|
 * | `{ns}:c:gen` | string | the generation: incremented by every change |
 * | `{ns}:c:k:<domain>:<z85 key>` | hash | CURVE key: `state` (`active`/`revoked`), `user`, `notAfter`, `version` |
 * | `{ns}:c:u:<domain>:<user>` | hash | PLAIN user: `state` (`active`/`removed`), `phc`, `version` |
 * | `{ns}:n:nodes` | set | names of the stores of the fleet |
 * | `{ns}:n:node:<name>` | string | the generation the store applied (expires when it stops reporting) |
 */
export class KeyLayout {
  /** The hash-tagged namespace, `{<namespace>}`. */
  readonly tag: string
  /** The prefix every store tracks (`CLIENT TRACKING ... BCAST PREFIX`). */
  readonly trackedPrefix: string
  /** The generation counter. */
  readonly generation: string
  /** The set of fleet node names. */
  readonly nodes: string

  constructor(namespace: string) {
    this.tag = `{${encodeKeyPart(namespace, "namespace")}}`
    this.trackedPrefix = `${this.tag}:c:`
    this.generation = `${this.trackedPrefix}gen`
    this.nodes = `${this.tag}:n:nodes`
  }

  /** The key of a CURVE public key (Z85) in `domain`. */
  curve(domain: string, publicKey: string): string {
    return `${this.trackedPrefix}k:${encodeKeyPart(domain, "domain")}:${encodeKeyPart(publicKey, "publicKey")}`
  }

  /** The key of a PLAIN user in `domain`. */
  user(domain: string, username: string): string {
    return `${this.trackedPrefix}u:${encodeKeyPart(domain, "domain")}:${encodeKeyPart(username, "username")}`
  }

  /** The acknowledgement key of a fleet node. */
  node(name: string): string {
    return `${this.tag}:n:node:${encodeKeyPart(name, "node")}`
  }

  /** What a key under the tracked prefix names, or `undefined` for a key of another layout. */
  parse(key: string): CredentialKeyName | undefined {
    if (!key.startsWith(this.trackedPrefix)) return undefined
    const parts = key.slice(this.trackedPrefix.length).split(":")
    if (parts.length === 1 && parts[0] === "gen") return { kind: "generation" }
    if (parts.length !== 3) return undefined
    const domain = decodeKeyPart(parts[1]!)
    const name = decodeKeyPart(parts[2]!)
    if (domain === undefined || name === undefined) return undefined
    if (parts[0] === "k") return { kind: "curve", domain, publicKey: name }
    if (parts[0] === "u") return { kind: "user", domain, username: name }
    return undefined
  }
}
