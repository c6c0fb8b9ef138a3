import { isIP } from "node:net"

const MAPPED_DOTTED = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/
const MAPPED_HEX = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/

/**
 * The canonical text of an IP address, so that one peer has one spelling: IPv6 in compressed
 * lowercase form, and IPv4-mapped IPv6 (`::ffff:127.0.0.1`, as a dual-stack socket reports IPv4
 * peers) as plain IPv4. Anything that is not an IP address is returned unchanged.
 */
export function canonicalAddress(address: string): string {
  if (isIP(address) !== 6) return address
  const compressed = new URL(`http://[${address}]`).hostname.slice(1, -1)
  const dotted = MAPPED_DOTTED.exec(compressed)
  if (dotted !== null) return dotted[1]!
  const hex = MAPPED_HEX.exec(compressed)
  if (hex === null) return compressed
  const high = Number.parseInt(hex[1]!, 16)
  const low = Number.parseInt(hex[2]!, 16)
  return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`
}
