import type { KeyLayout } from "./key-layout.js"
import type { RedisClient } from "./link.js"

/** Which fleet nodes applied a change, as {@link RedisCredentialStore.waitForFleet} reports it. */
export interface FleetReport {
  /** Nodes whose store applied the change's generation. */
  applied: string[]
  /** Live nodes that have not (yet): behind, or cut off from Redis (in grace mode or down). */
  pending: string[]
  /** Milliseconds from the call until every live node applied it, or until the timeout. */
  elapsedMs: number
}

/** How long a node's acknowledgement lives without being refreshed: then it is no longer live. */
export const NODE_TTL_MS = 30_000
/** How often a connected store refreshes its acknowledgement. */
export const NODE_REFRESH_MS = 2_000

/** Records that `node` applied every change up to `generation` (outside the tracked prefix). */
export async function acknowledge(
  client: RedisClient,
  layout: KeyLayout,
  node: string,
  generation: number
): Promise<void> {
  await client
    .multi()
    .addCommand(["SADD", layout.nodes, node])
    .addCommand(["SET", layout.node(node), String(generation), "PX", String(NODE_TTL_MS)])
    .exec()
}

/** Removes `node` from the fleet (a store that closes). */
export async function leave(client: RedisClient, layout: KeyLayout, node: string): Promise<void> {
  await client
    .multi()
    .addCommand(["SREM", layout.nodes, node])
    .addCommand(["DEL", layout.node(node)])
    .exec()
}

/** The live nodes and the generation each applied; forgets nodes whose acknowledgement expired. */
export async function readAcknowledgements(client: RedisClient, layout: KeyLayout): Promise<Map<string, number>> {
  const members = ((await client.sendCommand(["SMEMBERS", layout.nodes])) as unknown[])
    .map((name) => String(name))
    .sort()
  const live = new Map<string, number>()
  if (members.length === 0) return live
  const generations = (await client.sendCommand(["MGET", ...members.map((name) => layout.node(name))])) as unknown[]
  const gone: string[] = []
  members.forEach((name, index) => {
    const value = generations[index]
    if (value === null || value === undefined) gone.push(name)
    else live.set(name, Number(String(value)))
  })
  if (gone.length > 0) await client.sendCommand(["SREM", layout.nodes, ...gone])
  return live
}
