import { ZapProtocolError } from "../errors.js"
import { unpooledCopy } from "../unpooled.js"

/**
 * Encodes ZMTP metadata properties (RFC 23): for each, a 1-byte name length, the name,
 * a 4-byte big-endian value length and the value. Names must be 1 to 255 bytes.
 * Throws {@link ZapProtocolError} on an empty or over-long name.
 */
export function encodeMetadata(props: Record<string, string | Buffer>): Buffer {
  const parts: Buffer[] = []
  for (const [name, value] of Object.entries(props)) {
    const nameBytes = Buffer.from(name, "utf8")
    if (nameBytes.length < 1 || nameBytes.length > 255) {
      throw new ZapProtocolError(`metadata property name must be 1 to 255 bytes, got ${nameBytes.length}`)
    }
    const valueBytes = typeof value === "string" ? Buffer.from(value, "utf8") : value
    const header = Buffer.allocUnsafe(1 + nameBytes.length + 4)
    header.writeUInt8(nameBytes.length, 0)
    nameBytes.copy(header, 1)
    header.writeUInt32BE(valueBytes.length, 1 + nameBytes.length)
    parts.push(header, valueBytes)
  }
  return Buffer.concat(parts)
}

/**
 * Decodes a ZMTP metadata blob into property values, each a copy with memory of its own (never
 * a view of `data` or of Node's shared Buffer pool). Throws {@link ZapProtocolError} when a
 * property is truncated or has an empty name.
 */
export function decodeMetadata(data: Buffer): Record<string, Buffer> {
  const props: Record<string, Buffer> = Object.create(null) as Record<string, Buffer>
  let offset = 0
  while (offset < data.length) {
    const nameLength = data[offset]!
    if (nameLength === 0) throw new ZapProtocolError(`metadata property at byte ${offset} has an empty name`)
    if (offset + 1 + nameLength + 4 > data.length) {
      throw new ZapProtocolError(`metadata property at byte ${offset} is truncated`)
    }
    const name = data.toString("utf8", offset + 1, offset + 1 + nameLength)
    offset += 1 + nameLength
    const valueLength = data.readUInt32BE(offset)
    offset += 4
    if (offset + valueLength > data.length) {
      throw new ZapProtocolError(`metadata property "${name}" is truncated`)
    }
    props[name] = unpooledCopy(data.subarray(offset, offset + valueLength))
    offset += valueLength
  }
  return props
}
