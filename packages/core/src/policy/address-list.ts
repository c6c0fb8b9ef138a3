import { BlockList, isIP } from "node:net"
import { AuthenticatorError } from "../errors.js"
import { canonicalAddress, splitZone } from "./canonical-address.js"

const SUBNET = /^(.+)\/(\d{1,3})$/

/**
 * An immutable set of peer addresses: exact addresses ("127.0.0.1", "::1"), plus optional CIDR
 * subnets ("10.0.0.0/8", "fd00::/8"). Addresses are compared in canonical form, so
 * "127.0.0.1" also matches a dual-stack socket's "::ffff:127.0.0.1", and an entry without an
 * IPv6 zone matches the address with any zone.
 */
export class AddressList {
  readonly #exact: ReadonlySet<string>
  readonly #subnets: BlockList | undefined
  /** The entries as given, for display. */
  readonly entries: readonly string[]

  /** Throws {@link AuthenticatorError} on an entry that is not a non-empty string or a bad subnet. */
  constructor(entries: readonly string[]) {
    const exact = new Set<string>()
    let subnets: BlockList | undefined
    for (const entry of entries) {
      if (typeof entry !== "string" || entry === "") {
        throw new AuthenticatorError(`an address must be a non-empty string, got ${JSON.stringify(entry)}`)
      }
      const match = SUBNET.exec(entry)
      const family = match === null ? 0 : isIP(match[1]!)
      if (match !== null && family !== 0) {
        const prefix = Number(match[2])
        if (prefix > (family === 4 ? 32 : 128)) throw new AuthenticatorError(`subnet ${entry} has a prefix longer than the address`)
        subnets ??= new BlockList()
        subnets.addSubnet(match[1]!, prefix, family === 4 ? "ipv4" : "ipv6")
      } else if (isIP(splitZone(entry).ip) !== 0 && splitZone(entry).zone !== "") {
        exact.add(canonicalAddress(entry))
      } else {
        throw new AuthenticatorError(`${JSON.stringify(entry)} is not an IP address or CIDR subnet (libzmq reports peers by IP address)`)
      }
    }
    this.#exact = exact
    this.#subnets = subnets
    this.entries = Object.freeze([...entries])
  }

  /** Returns a new list with `more` added. */
  with(more: readonly string[]): AddressList {
    return new AddressList([...this.entries, ...more])
  }

  /**
   * Whether `address` is listed, exactly or inside a subnet. An entry without an IPv6 zone
   * matches the address on every interface ("fe80::1" matches "fe80::1%eth0", as libzmq reports
   * link-local peers); an entry with a zone matches only that zone.
   */
  has(address: string): boolean {
    const canonical = canonicalAddress(address)
    if (this.#exact.has(canonical)) return true
    const { ip, zone } = splitZone(canonical)
    if (zone !== undefined && this.#exact.has(canonicalAddress(ip))) return true
    if (this.#subnets === undefined) return false
    const family = isIP(ip)
    if (family === 4) return this.#subnets.check(ip, "ipv4") || this.#subnets.check(`::ffff:${ip}`, "ipv6")
    return family === 6 && this.#subnets.check(ip, "ipv6")
  }
}
