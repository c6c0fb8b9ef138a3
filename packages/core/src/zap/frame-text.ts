/**
 * Whether `frame` holds exactly the ASCII characters of `text`. Compared in JavaScript: for the
 * few bytes of a ZAP version or mechanism name this is ten times cheaper than `Buffer.equals`,
 * which crosses into native code.
 */
export function frameIs(frame: Uint8Array, text: string): boolean {
  if (frame.length !== text.length) return false
  for (let index = 0; index < frame.length; index++) if (frame[index] !== text.charCodeAt(index)) return false
  return true
}

/** Frames longer than this are decoded directly: hashing them costs about as much as decoding. */
const MAX_CACHED_BYTES = 24
/** Entries kept before the cache starts over. */
const CACHE_LIMIT = 1024

interface CachedText {
  readonly bytes: Buffer
  readonly text: string
}

/**
 * Decodes short frames that repeat from one ZAP request to the next (the domain, the peer
 * address) as UTF-8 text. The text of each recent byte string is remembered, so a repeated
 * frame costs a hash computed in JavaScript instead of a native decode. The result is always
 * exactly `frame.toString("utf8")`: a hit is confirmed byte by byte. Bounded: when full, the
 * cache starts over.
 */
export class FrameTextCache {
  readonly #entries = new Map<number, CachedText>()
  /** The entry of the last frame decoded: a server's next request most often repeats it. */
  #last: CachedText | undefined

  /** The UTF-8 text of `frame`. */
  decode(frame: Buffer): string {
    const length = frame.length
    if (length === 0) return ""
    const last = this.#last
    if (last !== undefined && sameBytes(last.bytes, frame)) return last.text
    if (length > MAX_CACHED_BYTES) return utf8(frame)
    let hash = length
    for (let index = 0; index < length; index++) hash = (Math.imul(hash, 31) + frame[index]!) | 0
    const cached = this.#entries.get(hash)
    if (cached !== undefined && sameBytes(cached.bytes, frame)) {
      this.#last = cached
      return cached.text
    }
    const text = utf8(frame)
    if (this.#entries.size >= CACHE_LIMIT) this.#entries.clear()
    // A copy: the caller may reuse or change its buffer after this call.
    const entry = { bytes: Buffer.from(frame), text }
    this.#entries.set(hash, entry)
    this.#last = entry
    return text
  }
}

/** The UTF-8 text of `frame`; a Uint8Array that is not a Buffer would print as "49,48,..." with toString. */
function utf8(frame: Uint8Array): string {
  return Buffer.isBuffer(frame)
    ? frame.toString("utf8")
    : Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength).toString("utf8")
}

function sameBytes(left: Uint8Array, right: Uint8Array): boolean {
  if (left.length !== right.length) return false
  for (let index = 0; index < left.length; index++) if (left[index] !== right[index]) return false
  return true
}
