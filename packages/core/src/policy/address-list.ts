import { BlockList, isIP } from "node:net"
import { AuthenticatorError } from "../errors.js"
import { canonicalAddress, splitZone } from "./canonical-address.js"

const SUBNET = /^(.+)\/(\d{1,3})$/

/**
 * An immutable set of peer addresses: exact addresses ("127.0.0.1", "::1"), plus optional CIDR
 * subnets ("10.0.0.0/8", "fd00::/8"). Addresses are compared in canonical form, so
 * "127.0.0.1" also matches a dual-stack socket's "::ffff:127.0.0.1". An entry without an IPv6
 * zone matches the address with any zone; an entry with a zone ("fe80::1%eth0",
 * "fe80::%eth0/64") matches only addresses with that zone.
 */
export class AddressList {
  readonly #exact: ReadonlySet<string>
  /** Subnets without a zone. */
  readonly #subnets: BlockList | undefined
  /** IPv6 subnets with a zone, by zone. */
  readonly #zonedSubnets: ReadonlyMap<string, BlockList>
  /** The entries as given, for display. */
  readonly entries: readonly string[]

  /**
   * Throws {@link AuthenticatorError} on an entry that is not a non-empty string, a bad subnet,
   * or an empty zone or a zone on an IPv4 subnet.
   */
  constructor(entries: readonly string[]) {
    const exact = new Set<string>()
    let subnets: BlockList | undefined
    const zonedSubnets = new Map<string, BlockList>()
    for (const entry of entries) {
      if (typeof entry !== "string" || entry === "") {
        throw new AuthenticatorError(`an address must be a non-empty string, got ${JSON.stringify(entry)}`)
      }
      const match = SUBNET.exec(entry)
      const subnet = match === null ? undefined : splitZone(match[1]!)
      const family = subnet === undefined ? 0 : isIP(subnet.ip)
      if (match !== null && subnet !== undefined && family !== 0) {
        const prefix = Number(match[2])
        if (prefix > (family === 4 ? 32 : 128))
          throw new AuthenticatorError(`subnet ${entry} has a prefix longer than the address`)
        if (subnet.zone === undefined) {
          subnets ??= new BlockList()
          subnets.addSubnet(subnet.ip, prefix, family === 4 ? "ipv4" : "ipv6")
        } else {
          if (subnet.zone === "" || family !== 6)
            throw new AuthenticatorError(
              `subnet ${JSON.stringify(entry)} has an empty zone or a zone on an IPv4 address`
            )
          const zoned = zonedSubnets.get(subnet.zone) ?? new BlockList()
          zoned.addSubnet(subnet.ip, prefix, "ipv6")
          zonedSubnets.set(subnet.zone, zoned)
        }
      } else if (isIP(splitZone(entry).ip) !== 0 && splitZone(entry).zone !== "") {
        exact.add(canonicalAddress(entry))
      } else {
        throw new AuthenticatorError(
          `${JSON.stringify(entry)} is not an IP address or CIDR subnet (libzmq reports peers by IP address)`
        )
      }
    }
    this.#exact = exact
    this.#subnets = subnets
    this.#zonedSubnets = zonedSubnets
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
    const family = isIP(ip)
    if (family === 4)
      return (
        this.#subnets !== undefined && (this.#subnets.check(ip, "ipv4") || this.#subnets.check(`::ffff:${ip}`, "ipv6"))
      )
    if (family !== 6) return false
    if (this.#subnets?.check(ip, "ipv6") === true) return true
    return zone !== undefined && this.#zonedSubnets.get(zone)?.check(ip, "ipv6") === true
  }
}
