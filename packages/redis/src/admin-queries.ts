import type { KeyLayout } from "./key-layout.js"
import type { RedisClient } from "./link.js"
import { parseCurveRecord, parseUserRecord } from "./records.js"

/**
 * One credential of a namespace, as `RedisCredentialStore.listCredentials` reports it
 * (never a password or its hash).
 */
export type CredentialListing =
  | {
      kind: "curve"
      domain: string
      publicKey: string
      state: "active" | "revoked" | "malformed"
      userId?: string
      notAfter?: Date
    }
  | { kind: "user"; domain: string; username: string; state: "active" | "removed" | "malformed" }

/** The fleet and its Redis, as `RedisCredentialStore.fleetStatus` reports it. */
export interface FleetStatus {
  /** The namespace's generation: changes made so far. */
  generation: number
  /** Live nodes and the generation each applied (`lag`: generations behind). */
  nodes: Array<{ node: string; generation: number; lag: number }>
  /** The Redis server's role (`master`, `slave`, ...) and its connected replicas. */
  redis: { role: string; replicas: number }
}

const SCAN_COUNT = 500

/** Every credential of the namespace (of `domain` only, when given), sorted by domain and name. */
export async function listCredentials(
  client: RedisClient,
  layout: KeyLayout,
  domain?: string
): Promise<CredentialListing[]> {
  const keys: string[] = []
  let cursor = "0"
  do {
    const [next, batch] = (await client.sendCommand([
      "SCAN",
      cursor,
      "MATCH",
      `${layout.trackedPrefix}*`,
      "COUNT",
      String(SCAN_COUNT),
    ])) as [unknown, unknown[]]
    cursor = String(next)
    for (const key of batch) keys.push(String(key))
  } while (cursor !== "0")
  const listings: CredentialListing[] = []
  for (const key of keys) {
    const name = layout.parse(key)
    if (name === undefined || name.kind === "generation" || (domain !== undefined && name.domain !== domain)) continue
    const reply = await client.sendCommand(["HGETALL", key])
    if (name.kind === "curve") {
      const record = parseCurveRecord(reply)
      if (record === null) continue
      const listing: CredentialListing = {
        kind: "curve",
        domain: name.domain,
        publicKey: name.publicKey,
        state: record === "malformed" ? "malformed" : record.state,
      }
      if (record !== "malformed" && record.userId !== undefined) listing.userId = record.userId
      if (record !== "malformed" && record.notAfter !== undefined) listing.notAfter = new Date(record.notAfter)
      listings.push(listing)
    } else {
      const record = parseUserRecord(reply)
      if (record === null) continue
      listings.push({
        kind: "user",
        domain: name.domain,
        username: name.username,
        state: record === "malformed" ? "malformed" : record.state,
      })
    }
  }
  const sortKey = (listing: CredentialListing): string =>
    `${listing.domain}\u0000${listing.kind}\u0000${listing.kind === "curve" ? listing.publicKey : listing.username}`
  return listings.sort((left, right) => (sortKey(left) < sortKey(right) ? -1 : sortKey(left) > sortKey(right) ? 1 : 0))
}

/** The generation, the live nodes with what each applied, and the Redis server's replication role. */
export async function readFleetStatus(
  client: RedisClient,
  layout: KeyLayout,
  acknowledgements: Map<string, number>
): Promise<FleetStatus> {
  const counter = await client.sendCommand(["GET", layout.generation])
  const generation = counter === null || counter === undefined ? 0 : Number(String(counter))
  const info = String(await client.sendCommand(["INFO", "replication"]))
  const role = /^role:(\S+)/m.exec(info)?.[1] ?? "unknown"
  const replicas = Number(/^connected_slaves:(\d+)/m.exec(info)?.[1] ?? 0)
  const nodes = [...acknowledgements].map(([node, applied]) => ({
    node,
    generation: applied,
    lag: Math.max(0, generation - applied),
  }))
  return { generation, nodes, redis: { role, replicas } }
}
