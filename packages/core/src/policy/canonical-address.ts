import { isIP } from "node:net"

const MAPPED_HEX = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/

/** An IP address split from its IPv6 zone ("fe80::1%eth0": "fe80::1" and "eth0"). */
export function splitZone(address: string): { ip: string; zone: string | undefined } {
  const percent = address.indexOf("%")
  return percent === -1
    ? { ip: address, zone: undefined }
    : { ip: address.slice(0, percent), zone: address.slice(percent + 1) }
}

/**
 * The canonical text of an IP address, so that one peer has one spelling: IPv6 in compressed
 * lowercase form (its zone kept, as in "fe80::1%eth0"), and IPv4-mapped IPv6
 * (`::ffff:127.0.0.1`, as a dual-stack socket reports IPv4 peers) as plain IPv4. The WHATWG URL
 * parser writes a mapped address in hex (`::ffff:7f00:1`) however it was spelled, so only that
 * form is converted. Anything that is not an IP address is returned unchanged.
 */
export function canonicalAddress(address: string): string {
  const { ip, zone } = splitZone(address)
  if (isIP(ip) !== 6) return address
  const compressed = new URL(`http://[${ip}]`).hostname.slice(1, -1)
  if (zone !== undefined) return `${compressed}%${zone}`
  const hex = MAPPED_HEX.exec(compressed)
  if (hex === null) return compressed
  const high = Number.parseInt(hex[1]!, 16)
  const low = Number.parseInt(hex[2]!, 16)
  return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`
}
