import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { curveKeyPair } from "zeromq"
import { KeyLayout, RedisStoreError } from "@zmq-auth/redis"
import { startRedisServer, type RedisServer } from "../helpers/redis-server.js"
import { closeStores, openStore } from "../helpers/redis-store.js"

const masters: RedisServer[] = []
let owner: RedisServer
let other: RedisServer
const layout = new KeyLayout("zmq-auth")

beforeAll(async () => {
  for (let index = 0; index < 3; index++)
    masters.push(await startRedisServer(undefined, ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"]))
  await masters[0]!.cli(
    "--cluster",
    "create",
    ...masters.map((master) => `127.0.0.1:${master.port}`),
    "--cluster-replicas",
    "0",
    "--cluster-yes"
  )
  while (!(await masters[0]!.cli("CLUSTER", "INFO")).includes("cluster_state:ok"))
    await new Promise((resolve) => setTimeout(resolve, 100))
  const slot = Number(await masters[0]!.cli("CLUSTER", "KEYSLOT", layout.tag))
  // CLUSTER NODES: "<id> <ip:port@cport> <flags> <master> <ping> <pong> <epoch> <link> <slot ranges...>"
  const line = (await masters[0]!.cli("CLUSTER", "NODES")).split("\n").find((entry) =>
    entry
      .split(" ")
      .slice(8)
      .some((range) => inRange(range, slot))
  )
  const port = Number(/:(\d+)@/.exec(line ?? "")?.[1])
  owner = masters.find((master) => master.port === port)!
  other = masters.find((master) => master !== owner)!
})

afterAll(async () => {
  await closeStores()
  for (const master of masters) await master.stop()
})

function inRange(range: string, slot: number): boolean {
  const [low, high] = range.split("-").map(Number)
  return low !== undefined && slot >= low && slot <= (high ?? low)
}

describe("RedisCredentialStore on a Redis Cluster of 3 masters", () => {
  it("keeps a namespace in one slot: stores on the owning master share changes and acknowledgements", async () => {
    const server = await openStore(owner.url, { node: "cluster-server" })
    const admin = await openStore(owner.url, { node: false })
    const client = curveKeyPair().publicKey
    await admin.addCurveKey("api", client)
    await admin.setPassword("*", "user", "pw")
    expect(await server.checkCurveKey("api", client)).toEqual({ statusCode: 200 })
    const receipt = await admin.revokeCurveKey("*", client)
    expect((await admin.waitForFleet(receipt)).applied).toEqual(["cluster-server"])
    expect(await server.checkCurveKey("api", client)).toEqual({ statusCode: 400, statusText: "Key revoked" })
    const slot = await owner.cli("CLUSTER", "KEYSLOT", layout.tag)
    const total = Number(await owner.cli("DBSIZE"))
    expect(Number(await owner.cli("CLUSTER", "COUNTKEYSINSLOT", slot))).toBe(total)
    expect(total).toBeGreaterThanOrEqual(5)
  })

  it("pointed at a master that does not own the slot, it refuses changes and answers 300, never an allow", async () => {
    const wrong = await openStore(other.url, { node: false })
    await expect(wrong.addCurveKey("api", curveKeyPair().publicKey)).rejects.toThrow(RedisStoreError)
    const admin = await openStore(owner.url, { node: false })
    const client = curveKeyPair().publicKey
    await admin.addCurveKey("api", client)
    expect(await wrong.checkCurveKey("api", client)).toEqual({
      statusCode: 300,
      statusText: "Credential store unavailable",
    })
  })
})
