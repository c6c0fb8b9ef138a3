import { describe, expect, it } from "vitest"
import { curveKeyPair } from "zeromq"
import { AuthenticatorError } from "@zmq-auth/core"
import { KeyLayout, RedisCredentialStore, RedisStoreError } from "@zmq-auth/redis"
import { freePort, startRedisServer } from "../helpers/redis-server.js"
import { nextEvent, openStore, useRedisServer } from "../helpers/redis-store.js"

const redis = useRedisServer()

const key = (): string => curveKeyPair().publicKey

describe("RedisCredentialStore: CURVE keys", () => {
  it("allows an added key, with its user id, and denies an unknown one", async () => {
    const store = await openStore(redis.server.url)
    const alice = key()
    const bob = key()
    await store.addCurveKey("api", alice, { userId: "alice" })
    await store.addCurveKey("api", bob)
    expect(await store.checkCurveKey("api", alice)).toEqual({ statusCode: 200, userId: "alice" })
    expect(await store.checkCurveKey("api", bob)).toEqual({ statusCode: 200 })
    expect(await store.checkCurveKey("api", key())).toEqual({ statusCode: 400, statusText: "Unknown key" })
    expect(await store.checkCurveKey("other", alice)).toEqual({ statusCode: 400, statusText: "Unknown key" })
  })

  it('looks a key up under the request\'s domain, then under "*"', async () => {
    const store = await openStore(redis.server.url)
    const shared = key()
    await store.addCurveKey("*", shared, { userId: "everywhere" })
    await store.addCurveKey("api", shared, { userId: "api-only" })
    expect(await store.checkCurveKey("api", shared)).toEqual({ statusCode: 200, userId: "api-only" })
    expect(await store.checkCurveKey("billing", shared)).toEqual({ statusCode: 200, userId: "everywhere" })
    expect(await store.checkCurveKey("", shared)).toEqual({ statusCode: 200, userId: "everywhere" })
  })

  it("a revocation wins over an entry at the other level, in both directions", async () => {
    const store = await openStore(redis.server.url)
    const first = key()
    const second = key()
    await store.addCurveKey("*", first)
    await store.revokeCurveKey("api", first)
    expect(await store.checkCurveKey("api", first)).toEqual({ statusCode: 400, statusText: "Key revoked" })
    expect(await store.checkCurveKey("billing", first)).toEqual({ statusCode: 200 })
    await store.addCurveKey("api", second)
    await store.revokeCurveKey("*", second)
    expect(await store.checkCurveKey("api", second)).toEqual({ statusCode: 400, statusText: "Key revoked" })
    expect(await store.checkCurveKey("*", second)).toEqual({ statusCode: 400, statusText: "Key revoked" })
  })

  it("refuses a key after its notAfter", async () => {
    const store = await openStore(redis.server.url)
    const expired = key()
    const valid = key()
    await store.addCurveKey("api", expired, { notAfter: new Date(Date.now() - 1) })
    await store.addCurveKey("api", valid, { notAfter: new Date(Date.now() + 60_000) })
    expect(await store.checkCurveKey("api", expired)).toEqual({ statusCode: 400, statusText: "Key expired" })
    expect(await store.checkCurveKey("api", valid)).toEqual({ statusCode: 200 })
  })

  it("adding a revoked key again at the same level restores it", async () => {
    const store = await openStore(redis.server.url)
    const client = key()
    await store.addCurveKey("api", client)
    await store.revokeCurveKey("api", client)
    expect(await store.checkCurveKey("api", client)).toMatchObject({ statusCode: 400 })
    await store.addCurveKey("api", client)
    expect(await store.checkCurveKey("api", client)).toEqual({ statusCode: 200 })
  })

  it("returns a receipt with a growing generation for every change", async () => {
    const store = await openStore(redis.server.url)
    const client = key()
    const first = await store.addCurveKey("api", client)
    const second = await store.revokeCurveKey("api", client)
    expect(second.generation).toBe(first.generation + 1)
  })

  it("keeps domains and keys with : { } % apart and names them so they parse back", async () => {
    const store = await openStore(redis.server.url)
    const client = key()
    await store.addCurveKey("a:b", client)
    expect(await store.checkCurveKey("a", client)).toMatchObject({ statusCode: 400 })
    expect(await store.checkCurveKey("a%3Ab", client)).toMatchObject({ statusCode: 400 })
    expect(await store.checkCurveKey("a:b", client)).toEqual({ statusCode: 200 })
    const keys = (await redis.server.cli("--raw", "KEYS", "*")).split("\n").filter((name) => name.includes(":k:"))
    expect(keys).toHaveLength(1)
    expect(keys[0]!.startsWith("{zmq-auth}:c:k:")).toBe(true)
    expect(new KeyLayout("zmq-auth").parse(keys[0]!)).toEqual({ kind: "curve", domain: "a:b", publicKey: client })
    const tricky = new KeyLayout("x}{:")
    expect(tricky.tag).toBe("{x%7D%7B%3A}")
    expect(tricky.parse(tricky.user("*", "é:{}"))).toEqual({ kind: "user", domain: "*", username: "é:{}" })
  })

  it("rejects bad input with an error naming it, changing nothing", async () => {
    const store = await openStore(redis.server.url)
    await expect(store.addCurveKey("api", "too short")).rejects.toThrow(AuthenticatorError)
    await expect(store.addCurveKey("api", key(), { notAfter: new Date("nope") })).rejects.toThrow(/notAfter/)
    await expect(store.addCurveKey(42 as unknown as string, key())).rejects.toThrow(/domain/)
    await expect(store.setPassword("api", "\uD800", "x")).rejects.toThrow(/username/)
    await expect(RedisCredentialStore.connect({ heartbeatMs: -1 })).rejects.toThrow(/heartbeatMs/)
    expect(await redis.server.cli("KEYS", "*:c:*")).toBe("")
  })
})

describe("RedisCredentialStore: connecting", () => {
  it("resolves in state down within 2 s when Redis is unreachable, answers 300, and comes up by itself", async () => {
    const port = await freePort()
    const started = performance.now()
    const store = await openStore(`redis://127.0.0.1:${port}`)
    expect(performance.now() - started).toBeLessThan(2000)
    expect(store.state).toBe("down")
    expect(await store.checkCurveKey("api", key())).toEqual({
      statusCode: 300,
      statusText: "Credential store unavailable",
    })
    await expect(store.addCurveKey("api", key())).rejects.toThrow(RedisStoreError)
    const up = nextEvent(store, "store:up")
    const late = await startRedisServer(port)
    try {
      await up
      expect(store.state).toBe("up")
      expect(await store.checkCurveKey("api", key())).toEqual({ statusCode: 400, statusText: "Unknown key" })
    } finally {
      await late.stop()
    }
  })

  it("resolves in state down within 2 s with a frozen Redis (TCP accepted, no answer); up after SIGCONT", async () => {
    redis.server.signal("SIGSTOP")
    const started = performance.now()
    const store = await openStore(redis.server.url)
    expect(performance.now() - started).toBeLessThan(2000 + 300)
    expect(store.state).toBe("down")
    expect(await store.checkCurveKey("api", key())).toMatchObject({ statusCode: 300 })
    const up = nextEvent(store, "store:up")
    redis.server.signal("SIGCONT")
    await up
    expect(await store.checkCurveKey("api", key())).toEqual({ statusCode: 400, statusText: "Unknown key" })
  })

  it("names no password (of the URL or of a user) in its errors", async () => {
    const port = await freePort()
    const store = await openStore(`redis://admin:topsecret@127.0.0.1:${port}`)
    const failure = await store.setPassword("api", "olga", "pw-secret").catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(RedisStoreError)
    expect((failure as Error).message).toContain("redis://admin:***@127.0.0.1")
    expect(`${(failure as Error).message} ${String((failure as Error).cause ?? "")}`).not.toMatch(/topsecret|pw-secret/)
  })

  it("gives each store of a process its own fleet name by default", async () => {
    const first = await openStore(redis.server.url, { node: undefined })
    const second = await openStore(redis.server.url, { node: undefined })
    expect(first.node).not.toBe(second.node)
  })

  it("answers from the cache after the first read, and 300 after close", async () => {
    const store = await openStore(redis.server.url)
    const client = key()
    await store.addCurveKey("api", client)
    expect(await store.checkCurveKey("api", client)).toEqual({ statusCode: 200 })
    await redis.server.cli("CONFIG", "SET", "slowlog-log-slower-than", "0")
    await redis.server.cli("SLOWLOG", "RESET")
    expect(await store.checkCurveKey("api", client)).toEqual({ statusCode: 200 })
    // Every command is logged now: the second check read no record (the store's heartbeat PINGs may be there).
    const logged = await redis.server.cli("SLOWLOG", "GET", "128")
    expect(logged).toContain("RESET")
    expect(logged).not.toContain("HGETALL")
    await store.close()
    expect(store.state).toBe("down")
    expect(await store.checkCurveKey("api", client)).toMatchObject({ statusCode: 300 })
  })

  it("an aborted check settles at once with 300, though Redis is frozen and the read hangs", async () => {
    const store = await openStore(redis.server.url, { lookupTimeoutMs: 20_000, heartbeatMs: 5000 })
    const client = key()
    await store.addCurveKey("api", client)
    redis.server.signal("SIGSTOP")
    try {
      const controller = new AbortController()
      const started = performance.now()
      const verdict = store.checkCurveKey("api", client, { signal: controller.signal })
      controller.abort()
      expect(await verdict).toEqual({ statusCode: 300, statusText: "Credential store unavailable" })
      expect(performance.now() - started).toBeLessThan(1000)
    } finally {
      redis.server.signal("SIGCONT")
    }
  })

  it("close() is idempotent and await using closes the store", async () => {
    let closed: RedisCredentialStore | undefined
    {
      await using store = await RedisCredentialStore.connect({ url: redis.server.url, node: "disposed" })
      closed = store
      expect(store.state).toBe("up")
    }
    expect(closed.state).toBe("down")
    await closed.close()
    expect(await redis.server.cli("SMEMBERS", "{zmq-auth}:n:nodes")).toBe("")
  })

  it("a connection on which tracking cannot be armed never counts as up: 300, not a stale cache", async () => {
    await redis.server.cli("ACL", "SETUSER", "untracked", "on", ">pw", "~*", "&*", "+@all", "-client|tracking")
    const started = performance.now()
    const store = await openStore(redis.server.url.replace("redis://", "redis://untracked:pw@"))
    expect(performance.now() - started).toBeLessThan(2000)
    expect(store.state).toBe("down")
    expect(await store.checkCurveKey("api", key())).toMatchObject({ statusCode: 300 })
    await redis.server.cli("ACL", "DELUSER", "untracked")
  })

  it("emits store:down when Redis dies and store:up when it is back", async () => {
    const store = await openStore(redis.server.url)
    const down = nextEvent(store, "store:down")
    await redis.server.kill()
    await down
    expect(store.state).toBe("down")
    const up = nextEvent(store, "store:up")
    await redis.server.restart()
    await up
    expect(store.state).toBe("up")
  })
})

describe("RedisCredentialStore: records it cannot trust", () => {
  it("a malformed record makes the check throw (the engine answers 500), naming no secret", async () => {
    const store = await openStore(redis.server.url)
    const client = key()
    await redis.server.cli("HSET", new KeyLayout("zmq-auth").curve("api", client), "state", "maybe", "version", "1")
    await expect(store.checkCurveKey("api", client)).rejects.toThrow(RedisStoreError)
    await redis.server.cli(
      "HSET",
      new KeyLayout("zmq-auth").user("api", "nina"),
      "state",
      "active",
      "version",
      "1",
      "phc",
      "$scrypt$ln=30,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    )
    const failure = await store.checkPlain("api", "nina", Buffer.from("hunter2")).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(RedisStoreError)
    expect(String((failure as Error).message)).not.toContain("hunter2")
    expect(store.passwordHashes.started).toBe(0)
  })
})

describe("RedisCredentialStore connection failures", () => {
  it("emits store:error for each failed attempt (a wrong password), with no secret in it, and stays down", async () => {
    await redis.server.cli("ACL", "SETUSER", "locked-out", "on", ">right-password", "~*", "+@all")
    const url = redis.server.url.replace("redis://", "redis://locked-out:wrong-password@")
    const store = await openStore(url)
    const error = await new Promise<Error>((resolve) => store.once("store:error", resolve))
    expect(store.state).toBe("down")
    expect(error.message).toMatch(/WRONGPASS|invalid username-password/i)
    expect(`${error.message} ${String(error.stack)}`).not.toContain("wrong-password")
  })
})
