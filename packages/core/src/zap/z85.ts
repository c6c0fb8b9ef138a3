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

function decode(text: string): Buffer {
  if (typeof text !== "string" || text.length % 5 !== 0) {
    throw new RangeError(`z85.decode needs a multiple of 5 characters, got ${typeof text === "string" ? text.length : typeof text}`)
  }
  // Memory of its own, not the shared pool: the result may be a secret key.
  const data = Buffer.alloc((text.length / 5) * 4)
  for (let offset = 0, out = 0; offset < text.length; offset += 5, out += 4) {
    let value = 0
    for (let index = offset; index < offset + 5; index++) {
      const code = text.charCodeAt(index)
      const digit = code < 128 ? DECODER[code]! : -1
      if (digit < 0) throw new RangeError(`z85.decode: invalid character at position ${index}`)
      value = value * 85 + digit
    }
    if (value > 0xffffffff) throw new RangeError(`z85.decode: group at position ${offset} exceeds 32 bits`)
    data.writeUInt32BE(value, out)
  }
  return data
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
