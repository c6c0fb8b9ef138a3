import { describe, expect, it } from "vitest"
import { curveKeyPair } from "zeromq"
import type { RedisCredentialStore } from "@zmq-auth/redis"
import { openStore, useRedisServer } from "../helpers/redis-store.js"

const redis = useRedisServer()

const key = (): string => curveKeyPair().publicKey

function revoked(store: RedisCredentialStore): Promise<{ domain: string; publicKey?: string; username?: string }> {
  return new Promise((resolve) => store.once("credential:revoked", resolve))
}

describe("RedisCredentialStore: changes reach every store", () => {
  it("a revocation made by one store denies at another that had the key cached, and tells it", async () => {
    const server = await openStore(redis.server.url, { node: "server" })
    const admin = await openStore(redis.server.url, { node: false })
    const client = key()
    await admin.addCurveKey("api", client)
    expect(await server.checkCurveKey("api", client)).toEqual({ statusCode: 200 })
    expect(await server.checkCurveKey("api", client)).toEqual({ statusCode: 200 })
    const event = revoked(server)
    await admin.revokeCurveKey("*", client)
    expect(await event).toEqual({ domain: "*", publicKey: client })
    expect(await server.checkCurveKey("api", client)).toEqual({ statusCode: 400, statusText: "Key revoked" })
  })

  it("a key added by another store is allowed at once, though its absence was cached", async () => {
    const server = await openStore(redis.server.url)
    const admin = await openStore(redis.server.url, { node: false })
    const client = key()
    expect(await server.checkCurveKey("api", client)).toMatchObject({ statusCode: 400 })
    const receipt = await admin.addCurveKey("api", client, { userId: "carol" })
    await server.waitForFleet(receipt, { timeoutMs: 5000 })
    expect(await server.checkCurveKey("api", client)).toEqual({ statusCode: 200, userId: "carol" })
  })

  it("removeUser reaches other stores as credential:revoked with the user name", async () => {
    const server = await openStore(redis.server.url)
    const admin = await openStore(redis.server.url, { node: false })
    await admin.setPassword("api", "dave", "secret")
    const event = revoked(server)
    await admin.removeUser("api", "dave")
    expect(await event).toEqual({ domain: "api", username: "dave" })
  })

  it("FLUSHALL empties every store's cache: a key cached as allowed is unknown afterwards", async () => {
    const server = await openStore(redis.server.url)
    const client = key()
    await server.addCurveKey("api", client)
    expect(await server.checkCurveKey("api", client)).toEqual({ statusCode: 200 })
    await redis.server.cli("FLUSHALL")
    // the flush's invalidation arrives before the answer to anything sent after it
    await redis.server.cli("PING")
    const receipt = await server.addCurveKey("other", key())
    await server.waitForFleet(receipt)
    expect(await server.checkCurveKey("api", client)).toEqual({ statusCode: 400, statusText: "Unknown key" })
  })

  it("measures revocation latency from EXEC's reply to another store's next decision", async () => {
    const servers = await Promise.all(
      [1, 2, 3].map((index) => openStore(redis.server.url, { node: `server-${index}` }))
    )
    const admin = await openStore(redis.server.url, { node: false })
    const latencies: number[] = []
    for (let round = 0; round < 20; round++) {
      const client = key()
      await admin.addCurveKey("api", client)
      for (const server of servers) expect(await server.checkCurveKey("api", client)).toEqual({ statusCode: 200 })
      const events = servers.map((server) => revoked(server))
      const started = performance.now()
      await admin.revokeCurveKey("api", client)
      const committed = performance.now()
      await Promise.all(events)
      latencies.push(performance.now() - committed)
      for (const server of servers) expect(await server.checkCurveKey("api", client)).toMatchObject({ statusCode: 400 })
      expect(committed - started).toBeLessThan(1000)
    }
    latencies.sort((a, b) => a - b)
    const p50 = latencies[Math.floor(latencies.length / 2)]!
    const max = latencies.at(-1)!
    console.log(
      `revocation to 3 stores: p50 ${p50.toFixed(2)} ms, max ${max.toFixed(2)} ms (20 rounds, event after re-read)`
    )
    expect(max).toBeLessThan(100)
  })
})
