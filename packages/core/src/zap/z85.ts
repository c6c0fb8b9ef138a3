const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"

const DECODER = new Int8Array(128).fill(-1)
for (let index = 0; index < ALPHABET.length; index++) DECODER[ALPHABET.charCodeAt(index)] = index

const ALPHABET_CODES = Buffer.from(ALPHABET, "latin1")

/** Characters of a CURVE key in Z85: the text of longer data gets scratch memory of its own. */
const KEY_TEXT_LENGTH = 40
/**
 * Where the text of a key is assembled: memory of its own (never Node's shared Buffer pool,
 * which events cloned for other threads could carry), wiped after each use since the data may
 * be a secret key.
 */
const KEY_SCRATCH = Buffer.allocUnsafeSlow(KEY_TEXT_LENGTH)

function encode(data: Uint8Array): string {
  if (data.length % 4 !== 0) {
    throw new RangeError(`z85.encode needs a multiple of 4 bytes, got ${data.length}`)
  }
  const length = (data.length / 4) * 5
  const text = length <= KEY_TEXT_LENGTH ? KEY_SCRATCH : Buffer.allocUnsafeSlow(length)
  for (let offset = 0, out = 0; offset < data.length; offset += 4, out += 5) {
    let value = data[offset]! * 0x1000000 + (data[offset + 1]! << 16) + (data[offset + 2]! << 8) + data[offset + 3]!
    for (let digit = 4; digit >= 0; digit--) {
      const remainder = value % 85
      text[out + digit] = ALPHABET_CODES[remainder]!
      value = (value - remainder) / 85
    }
  }
  const encoded = text.toString("latin1", 0, length)
  text.fill(0, 0, length)
  return encoded
}

/** {@link groupAt}'s answer for a character outside the alphabet. */
const BAD_CHARACTER = -1
/** {@link groupAt}'s answer for a group whose value does not fit in 32 bits. */
const OVER_32_BITS = -2

/** The 32-bit value of the 5 characters of `text` at `offset`, or a negative reason it has none. */
function groupAt(text: string, offset: number): number {
  let value = 0
  for (let index = offset; index < offset + 5; index++) {
    const code = text.charCodeAt(index)
    const digit = code < 128 ? DECODER[code]! : -1
    if (digit < 0) return BAD_CHARACTER
    value = value * 85 + digit
  }
  return value > 0xffffffff ? OVER_32_BITS : value
}

/** The `RangeError` for the group at `offset`, naming a position, never the text. */
function groupError(text: string, offset: number, reason: number): RangeError {
  if (reason === OVER_32_BITS) return new RangeError(`z85.decode: group at position ${offset} exceeds 32 bits`)
  let index = offset
  while (text.charCodeAt(index) < 128 && DECODER[text.charCodeAt(index)]! >= 0) index++
  return new RangeError(`z85.decode: invalid character at position ${index}`)
}

function checkLength(text: unknown): asserts text is string {
  if (typeof text !== "string" || text.length % 5 !== 0) {
    throw new RangeError(
      `z85.decode needs a multiple of 5 characters, got ${typeof text === "string" ? text.length : typeof text}`
    )
  }
}

function decode(text: string): Buffer {
  checkLength(text)
  // Memory of its own, not the shared pool: the result may be a secret key.
  const data = Buffer.alloc((text.length / 5) * 4)
  for (let offset = 0, out = 0; offset < text.length; offset += 5, out += 4) {
    const value = groupAt(text, offset)
    if (value < 0) throw groupError(text, offset, value)
    data.writeUInt32BE(value, out)
  }
  return data
}

/**
 * The bytes `text` (a short text such as a key) decodes to, as a string of one character per
 * byte (latin1), built without a Buffer: how key sets index CURVE keys, cheaper than decoding
 * into memory and converting. Throws as {@link z85}.decode does.
 */
export function decodeToByteString(text: string): string {
  checkLength(text)
  const bytes = new Array<number>((text.length / 5) * 4)
  for (let offset = 0, out = 0; offset < text.length; offset += 5, out += 4) {
    const value = groupAt(text, offset)
    if (value < 0) throw groupError(text, offset, value)
    bytes[out] = value >>> 24
    bytes[out + 1] = (value >>> 16) & 0xff
    bytes[out + 2] = (value >>> 8) & 0xff
    bytes[out + 3] = value & 0xff
  }
  // One flat string (the characters of a key set are kept for as long as the key is).
  return String.fromCharCode.apply(null, bytes)
}

/**
 * Whether `text` is valid Z85 (a multiple of 5 characters of the alphabet, each group at most
 * 32 bits): what {@link z85}.decode accepts, checked without decoding, so a secret key is
 * validated without its bytes ever being written to memory.
 */
export function isZ85(text: string): boolean {
  if (text.length % 5 !== 0) return false
  for (let offset = 0; offset < text.length; offset += 5) if (groupAt(text, offset) < 0) return false
  return true
}

/**
 * Z85 encoding (ZeroMQ RFC 32), the text form of CURVE keys: 4 bytes become 5 characters.
 * Both directions throw `RangeError` on a bad length or character (the message gives its
 * position, never the text). Decoded bytes have memory of their own, not Node's shared Buffer
 * pool, so a decoded secret key is never copied along with another Buffer.
 */
export const z85: {
  /** Encodes bytes whose length is a multiple of 4. */
  encode(data: Uint8Array): string
  /** Decodes text whose length is a multiple of 5. */
  decode(text: string): Buffer
} = { encode, decode }
