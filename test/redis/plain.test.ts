import { describe, expect, it } from "vitest"
import type { CredentialVerdict } from "@zmq-auth/core"
import { openStore, useRedisServer } from "../helpers/redis-store.js"

const redis = useRedisServer()

const password = (text: string): Buffer => Buffer.from(text, "utf8")
const statusOf = (verdict: CredentialVerdict): number =>
  typeof verdict === "boolean" ? (verdict ? 200 : 400) : verdict.statusCode

describe("RedisCredentialStore: PLAIN", () => {
  it("stores a salted scrypt PHC string, never the password", async () => {
    const store = await openStore(redis.server.url)
    await store.setPassword("api", "erin", "correct horse")
    await store.setPassword("api", "frank", "correct horse")
    const erin = await redis.server.cli("HGET", "{zmq-auth}:c:u:api:erin", "phc")
    const frank = await redis.server.cli("HGET", "{zmq-auth}:c:u:api:frank", "phc")
    expect(erin).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/)
    expect(erin).not.toBe(frank)
    expect(await redis.server.cli("--raw", "DUMP", "{zmq-auth}:c:u:api:erin")).not.toContain("correct horse")
  })

  it("allows the right password with the user name as user id, and denies wrong ones and unknown users", async () => {
    const store = await openStore(redis.server.url)
    await store.setPassword("api", "erin", "correct horse")
    expect(await store.checkPlain("api", "erin", password("correct horse"))).toEqual({
      statusCode: 200,
      userId: "erin",
    })
    expect(await store.checkPlain("api", "erin", password("correct horse "))).toEqual({
      statusCode: 400,
      statusText: "Invalid password",
    })
    expect(await store.checkPlain("api", "nobody", password("correct horse"))).toEqual({
      statusCode: 400,
      statusText: "Invalid username",
    })
    expect(await store.checkPlain("other", "erin", password("correct horse"))).toEqual({
      statusCode: 400,
      statusText: "Invalid username",
    })
  })

  it('looks users up in the domain then "*", and a removal wins at either level', async () => {
    const store = await openStore(redis.server.url)
    await store.setPassword("*", "gina", "everywhere")
    await store.setPassword("api", "gina", "api only")
    expect(statusOf(await store.checkPlain("api", "gina", password("api only")))).toBe(200)
    expect(statusOf(await store.checkPlain("api", "gina", password("everywhere")))).toBe(400)
    expect(statusOf(await store.checkPlain("billing", "gina", password("everywhere")))).toBe(200)
    await store.removeUser("billing", "gina")
    expect(await store.checkPlain("billing", "gina", password("everywhere"))).toEqual({
      statusCode: 400,
      statusText: "User removed",
    })
    await store.removeUser("*", "gina")
    expect(await store.checkPlain("api", "gina", password("api only"))).toEqual({
      statusCode: 400,
      statusText: "User removed",
    })
  })

  it("hashes once per user, password and record version: a new password reaches cached checks at once", async () => {
    const store = await openStore(redis.server.url)
    const other = await openStore(redis.server.url, { node: false })
    await store.setPassword("api", "hank", "first")
    expect(statusOf(await store.checkPlain("api", "hank", password("first")))).toBe(200)
    const started = store.passwordHashes.started
    for (let round = 0; round < 20; round++)
      expect(statusOf(await store.checkPlain("api", "hank", password("first")))).toBe(200)
    expect(store.passwordHashes.started).toBe(started)
    const receipt = await other.setPassword("api", "hank", "second")
    await store.waitForFleet(receipt)
    expect(await store.checkPlain("api", "hank", password("first"))).toEqual({
      statusCode: 400,
      statusText: "Invalid password",
    })
    expect(statusOf(await store.checkPlain("api", "hank", password("second")))).toBe(200)
    // setting the same password again is a new version: verified again once
    const before = store.passwordHashes.started
    await store.waitForFleet(await other.setPassword("api", "hank", "second"))
    expect(statusOf(await store.checkPlain("api", "hank", password("second")))).toBe(200)
    expect(store.passwordHashes.started).toBe(before + 1)
  })

  it("copies the password: the caller may wipe its buffer as soon as the call returns", async () => {
    const store = await openStore(redis.server.url)
    await store.setPassword("api", "ivy", "wipe me")
    const sent = password("wipe me")
    const pending = store.checkPlain("api", "ivy", sent)
    sent.fill(0)
    expect(await pending).toEqual({ statusCode: 200, userId: "ivy" })
  })

  it("hashes at most 2 at once and answers 300 at once past the bound", async () => {
    const store = await openStore(redis.server.url, { scryptCost: { logN: 14, r: 8, p: 1 } })
    await store.setPassword("api", "jack", "burst")
    let maxRunning = 0
    const checks: Promise<CredentialVerdict>[] = []
    for (let index = 0; index < 40; index++) checks.push(store.checkPlain("api", "jack", password(`wrong ${index}`)))
    checks.push(store.checkPlain("api", "jack", password("burst")))
    const sampler = setInterval(() => (maxRunning = Math.max(maxRunning, store.passwordHashes.running)), 1)
    const verdicts = await Promise.all(checks)
    clearInterval(sampler)
    const busy = verdicts.filter((verdict) => typeof verdict === "object" && verdict.statusCode === 300)
    expect(maxRunning).toBeLessThanOrEqual(2)
    expect(busy.length).toBeGreaterThanOrEqual(40 + 1 - 2 - 16)
    expect(busy[0]).toEqual({ statusCode: 300, statusText: "Credential store busy" })
    expect(verdicts.filter((verdict) => statusOf(verdict) === 200)).toHaveLength(0) // the right one came last: shed
    expect(verdicts.some((verdict) => statusOf(verdict) === 400)).toBe(true)
    expect(store.passwordHashes.started).toBeLessThanOrEqual(2 + 16)
    expect(statusOf(await store.checkPlain("api", "jack", password("burst")))).toBe(200)
  })

  it("a check that waits longer than hashWaitMs for a hashing slot answers 300 busy; its hash never runs", async () => {
    const store = await openStore(redis.server.url, { scryptCost: { logN: 14, r: 8, p: 1 }, hashWaitMs: 20 })
    await store.setPassword("api", "lena", "slow")
    const running = [store.checkPlain("api", "lena", password("a")), store.checkPlain("api", "lena", password("b"))]
    expect(await store.checkPlain("api", "lena", password("slow"))).toEqual({
      statusCode: 300,
      statusText: "Credential store busy",
    })
    await Promise.all(running)
    expect(store.passwordHashes.started).toBe(2)
  })

  it("a check aborted while its hash waits gives up its place: the hash never runs", async () => {
    const store = await openStore(redis.server.url, { scryptCost: { logN: 14, r: 8, p: 1 } })
    await store.setPassword("api", "kim", "patience")
    const busy = [store.checkPlain("api", "kim", password("a")), store.checkPlain("api", "kim", password("b"))]
    const controller = new AbortController()
    const waiting = store.checkPlain("api", "kim", password("patience"), { signal: controller.signal })
    while (store.passwordHashes.waiting === 0) await new Promise((resolve) => setImmediate(resolve))
    controller.abort()
    expect(await waiting).toEqual({ statusCode: 300, statusText: "Credential store unavailable" })
    expect(store.passwordHashes.waiting).toBe(0)
    await Promise.all(busy)
    expect(store.passwordHashes.started).toBe(2)
    expect(await store.checkPlain("api", "kim", password("patience"), { signal: AbortSignal.abort() })).toMatchObject({
      statusCode: 300,
    })
    expect(store.passwordHashes.started).toBe(2)
  })

  it("a removal or password change confirmed while a check hashes wins over that check's match", async () => {
    // The password is stored with a costly hash (about 8 x 2^15 scrypt blocks), changes are made with a cheap one.
    const slow = await openStore(redis.server.url, { node: false, scryptCost: { logN: 15, r: 8, p: 8 } })
    const admin = await openStore(redis.server.url, { node: false })
    const store = await openStore(redis.server.url)
    for (const change of ["remove", "change"] as const) {
      await slow.setPassword("*", "hana", "slow to hash")
      const checking = store.checkPlain("api", "hana", password("slow to hash"))
      // The check has found the record and hashes now.
      while (store.passwordHashes.running === 0) await new Promise((resolve) => setImmediate(resolve))
      const receipt =
        change === "remove" ? await admin.removeUser("*", "hana") : await admin.setPassword("*", "hana", "new one")
      expect((await admin.waitForFleet(receipt, { timeoutMs: 5000 })).pending).toEqual([])
      expect(store.passwordHashes.running, "the change was confirmed before the hash ended").toBe(1)
      const verdict = await checking
      expect(statusOf(verdict), `after a ${change}`).not.toBe(200)
      expect(statusOf(await store.checkPlain("api", "hana", password("slow to hash")))).toBe(400)
    }
  })
})
