import { describe, expect, it } from "vitest"
import { BasicClientSideCache, createClient } from "redis"
import { curveKeyPair } from "zeromq"
import { KeyLayout } from "@zmq-auth/redis"
import { openStore, useRedisServer } from "../helpers/redis-store.js"

const redis = useRedisServer()

/** A raw RESP3 connection that counts the invalidations Redis broadcasts for `prefix`. */
async function watchPrefix(prefix: string): Promise<{ keys: string[]; close(): Promise<void> }> {
  const keys: string[] = []
  class Counter extends BasicClientSideCache {
    override trackingOn(): string[] {
      return ["CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", prefix]
    }
    override invalidate(key: Parameters<BasicClientSideCache["invalidate"]>[0]): void {
      keys.push(key === null ? "(all)" : String(key))
    }
  }
  const client = createClient({ url: redis.server.url, RESP: 3, clientSideCache: new Counter() })
  client.on("error", () => undefined)
  await client.connect()
  return { keys, close: () => client.close() }
}

describe("RedisCredentialStore: fleet acknowledgements", () => {
  it("waitForFleet reports every live node that applied a change, and how long it took", async () => {
    const nodes = await Promise.all(["edge-1", "edge-2", "edge-3"].map((node) => openStore(redis.server.url, { node })))
    const admin = await openStore(redis.server.url, { node: false })
    const receipt = await admin.addCurveKey("api", curveKeyPair().publicKey)
    const report = await admin.waitForFleet(receipt)
    expect(report.applied).toEqual(["edge-1", "edge-2", "edge-3"])
    expect(report.pending).toEqual([])
    expect(report.elapsedMs).toBeLessThan(1000)
    for (const node of nodes) expect(node.appliedGeneration).toBeGreaterThanOrEqual(receipt.generation)
    console.log(`fleet of 3 applied generation ${receipt.generation} in ${report.elapsedMs} ms`)
  })

  it("a store that closes leaves the fleet: it is neither applied nor pending", async () => {
    const staying = await openStore(redis.server.url, { node: "staying" })
    const leaving = await openStore(redis.server.url, { node: "leaving" })
    const admin = await openStore(redis.server.url, { node: false })
    expect((await admin.waitForFleet(await admin.addCurveKey("api", curveKeyPair().publicKey))).applied).toEqual([
      "leaving",
      "staying",
    ])
    await leaving.close()
    const report = await admin.waitForFleet(await admin.addCurveKey("api", curveKeyPair().publicKey))
    expect(report).toMatchObject({ applied: ["staying"], pending: [] })
    void staying
  })

  it("acknowledgements live outside the tracked prefix: they are not broadcast to the stores", async () => {
    const layout = new KeyLayout("zmq-auth")
    const tracked = await watchPrefix(layout.trackedPrefix)
    const everything = await watchPrefix(layout.tag)
    try {
      const store = await openStore(redis.server.url, { node: "quiet" })
      const admin = await openStore(redis.server.url, { node: false })
      const receipt = await admin.addCurveKey("api", curveKeyPair().publicKey)
      await admin.waitForFleet(receipt)
      await admin.waitForFleet(receipt)
      expect(tracked.keys.filter((key) => key.startsWith(`${layout.tag}:n:`))).toEqual([])
      expect(tracked.keys.length).toBeGreaterThan(0)
      expect(everything.keys).toContain(layout.node("quiet"))
      void store
    } finally {
      await tracked.close()
      await everything.close()
    }
  })

  it("waitForFleet rejects a receipt without an integer generation, and options that are not an object", async () => {
    const admin = await openStore(redis.server.url, { node: false })
    await expect(admin.waitForFleet({ generation: Number.NaN })).rejects.toThrow(
      /^receipt\.generation must be an integer$/
    )
    await expect(admin.waitForFleet({ generation: 1 }, null as never)).rejects.toThrow(/^options must be an object$/)
    await expect(admin.waitForFleet({ generation: 1 }, null as never)).rejects.toBeInstanceOf(TypeError)
    await expect(admin.waitForFleet({ generation: 1 }, { timeoutMs: -1 })).rejects.toThrow(
      /^timeoutMs must be a non-negative number, got -1$/
    )
  })
})
