import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { curveKeyPair } from "zeromq"
import { TestMetricsSdk } from "../helpers/metrics-sdk.js"
import { openStore, useRedisServer } from "../helpers/redis-store.js"

const redis = useRedisServer()

describe("RedisCredentialStore metrics", () => {
  let sdk: TestMetricsSdk
  beforeEach(() => {
    sdk = new TestMetricsSdk()
  })
  afterEach(async () => {
    await sdk.close()
  })

  it("exports cache hits, misses and invalidations, state, applied generation and password hashes", async () => {
    const admin = await openStore(redis.server.url, { node: false })
    const store = await openStore(redis.server.url)
    const client = curveKeyPair()
    await store.waitForFleet(await admin.addCurveKey("*", client.publicKey), { timeoutMs: 5000 })
    expect(await store.checkCurveKey("*", client.publicKey)).toEqual({ statusCode: 200 })
    expect(await store.checkCurveKey("*", client.publicKey)).toEqual({ statusCode: 200 })
    await store.waitForFleet(await admin.setPassword("*", "erin", "correct horse"), { timeoutMs: 5000 })
    expect(await store.checkPlain("*", "erin", Buffer.from("correct horse"))).toEqual({
      statusCode: 200,
      userId: "erin",
    })

    expect(await sdk.sum("zmq_auth.store.cache.misses", {})).toBeGreaterThanOrEqual(2)
    expect(await sdk.sum("zmq_auth.store.cache.hits", {})).toBeGreaterThanOrEqual(1)
    expect(await sdk.sum("zmq_auth.store.cache.invalidations", {})).toBeGreaterThanOrEqual(1)
    expect(await sdk.sum("zmq_auth.store.generation", {})).toBe(store.appliedGeneration)
    expect(await sdk.sum("zmq_auth.store.password_hash.duration", {})).toBe(1)
    expect(await sdk.sum("zmq_auth.store.password_hash.queue", {})).toBe(0)
    const states = await sdk.points("zmq_auth.store.state")
    expect(states.map((point) => [point.attributes["state"], point.value]).sort()).toEqual([
      ["down", 0],
      ["stale", 0],
      ["up", 1],
    ])
  })
})
