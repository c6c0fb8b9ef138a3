import { inspect } from "node:util"
import { describe, expect, it } from "vitest"
import { curveKeyPair } from "zeromq"
import { AuthenticatorError, MemoryCredentialStore, z85, type CredentialRevokedEvent } from "@zmq-auth/core"

const key = (): string => curveKeyPair().publicKey

describe("MemoryCredentialStore administration", () => {
  it("raises the generation by one per change and returns it in the receipt", async () => {
    const store = new MemoryCredentialStore()
    const publicKey = key()
    expect(store.generation).toBe(0)
    const receipts = [
      await store.addCurveKey("app", publicKey),
      await store.revokeCurveKey("app", publicKey),
      await store.setPassword("app", "alice", "secret"),
      await store.removeUser("app", "alice"),
    ]
    expect(receipts.map((receipt) => receipt.generation)).toEqual([1, 2, 3, 4])
    expect(store.generation).toBe(4)
  })

  it("accepts a key as 32 bytes and decides it by its Z85 text", async () => {
    const store = new MemoryCredentialStore()
    const publicKey = key()
    await store.addCurveKey("app", z85.decode(publicKey), { userId: "alice" })
    expect(store.checkCurveKey("app", publicKey)).toEqual({ statusCode: 200, userId: "alice" })
  })

  it("leaves the user id to curveUserId when the entry has none", async () => {
    const store = new MemoryCredentialStore()
    const publicKey = key()
    await store.addCurveKey("app", publicKey)
    expect(store.checkCurveKey("app", publicKey)).toEqual({ statusCode: 200 })
  })

  it("says why a key is denied: revoked, expired or unknown", async () => {
    const store = new MemoryCredentialStore()
    const [revoked, expired, unknown] = [key(), key(), key()]
    await store.addCurveKey("app", revoked)
    await store.revokeCurveKey("*", revoked)
    await store.addCurveKey("app", expired, { notAfter: new Date(Date.now() - 1) })
    expect(store.checkCurveKey("app", revoked)).toEqual({ statusCode: 400, statusText: "Key revoked" })
    expect(store.checkCurveKey("app", expired)).toEqual({ statusCode: 400, statusText: "Key expired" })
    expect(store.checkCurveKey("app", unknown)).toBe(false)
  })

  it("lifts a tombstone when the key is added again at the same level, not at the other", async () => {
    const store = new MemoryCredentialStore()
    const publicKey = key()
    await store.revokeCurveKey("app", publicKey)
    await store.addCurveKey("*", publicKey)
    expect(store.checkCurveKey("app", publicKey)).toMatchObject({ statusCode: 400 })
    await store.addCurveKey("app", publicKey)
    expect(store.checkCurveKey("app", publicKey)).toEqual({ statusCode: 200 })
  })

  it("applies an expiry at the level that has the key", async () => {
    const store = new MemoryCredentialStore()
    const publicKey = key()
    await store.addCurveKey("*", publicKey, { notAfter: new Date(Date.now() + 60_000) })
    await store.addCurveKey("app", publicKey, { notAfter: new Date(Date.now() - 1) })
    expect(store.checkCurveKey("app", publicKey)).toMatchObject({ statusCode: 400, statusText: "Key expired" })
    expect(store.checkCurveKey("other", publicKey)).toEqual({ statusCode: 200 })
  })

  it("says whether the user name or the password was wrong", async () => {
    const store = new MemoryCredentialStore()
    await store.setPassword("app", "alice", "secret")
    expect(store.checkPlain("app", "alice", Buffer.from("secret"))).toEqual({ statusCode: 200, userId: "alice" })
    expect(store.checkPlain("app", "alice", Buffer.from("secreT"))).toEqual({
      statusCode: 400,
      statusText: "Invalid password",
    })
    expect(store.checkPlain("app", "bob", Buffer.from("secret"))).toEqual({
      statusCode: 400,
      statusText: "Invalid username",
    })
  })

  it("replaces a password; a removal is a tombstone that wins over '*' until the password is set again", async () => {
    const store = new MemoryCredentialStore()
    await store.setPassword("app", "alice", "first")
    await store.setPassword("app", "alice", "second")
    await store.setPassword("*", "alice", "fallback")
    expect(store.checkPlain("app", "alice", Buffer.from("first"))).toMatchObject({ statusCode: 400 })
    expect(store.checkPlain("app", "alice", Buffer.from("second"))).toMatchObject({ statusCode: 200 })
    expect(store.checkPlain("app", "alice", Buffer.from("fallback"))).toMatchObject({ statusCode: 400 })
    await store.removeUser("app", "alice")
    expect(store.checkPlain("app", "alice", Buffer.from("fallback"))).toEqual({
      statusCode: 400,
      statusText: "User removed",
    })
    expect(store.checkPlain("other", "alice", Buffer.from("fallback"))).toMatchObject({ statusCode: 200 })
    await store.setPassword("app", "alice", "third")
    expect(store.checkPlain("app", "alice", Buffer.from("third"))).toMatchObject({ statusCode: 200 })
  })

  it("compares the UTF-8 bytes of the password, the empty one included", async () => {
    const store = new MemoryCredentialStore()
    await store.setPassword("app", "ünï", "pässwörd")
    await store.setPassword("app", "empty", "")
    expect(store.checkPlain("app", "ünï", Buffer.from("pässwörd", "utf8"))).toMatchObject({ statusCode: 200 })
    expect(store.checkPlain("app", "ünï", Buffer.from("pässwörd", "latin1"))).toMatchObject({ statusCode: 400 })
    expect(store.checkPlain("app", "empty", Buffer.alloc(0))).toMatchObject({ statusCode: 200 })
    expect(store.checkPlain("app", "empty", Buffer.alloc(1))).toMatchObject({ statusCode: 400 })
  })

  it("emits credential:revoked for a revoked key and a removed user, without secrets", async () => {
    const store = new MemoryCredentialStore()
    const events: CredentialRevokedEvent[] = []
    store.on("credential:revoked", (event) => events.push(event))
    const publicKey = key()
    await store.setPassword("app", "alice", "the-password")
    await store.revokeCurveKey("*", z85.decode(publicKey))
    await store.removeUser("app", "alice")
    expect(events).toEqual([
      { domain: "*", publicKey },
      { domain: "app", username: "alice" },
    ])
    expect(inspect(events, { depth: 5 })).not.toContain("the-password")
  })

  it("answers 300 while made unavailable and reports the state with events", async () => {
    const store = new MemoryCredentialStore()
    const publicKey = key()
    await store.addCurveKey("*", publicKey)
    await store.setPassword("*", "alice", "secret")
    const states: string[] = []
    store.on("store:down", (error) => states.push(`down: ${error.message}`))
    store.on("store:up", () => states.push("up"))
    store.setAvailable(false)
    store.setAvailable(false)
    expect(store.state).toBe("down")
    expect(store.checkCurveKey("app", publicKey)).toEqual({
      statusCode: 300,
      statusText: "Credential store unavailable",
    })
    expect(store.checkPlain("app", "alice", Buffer.from("secret"))).toMatchObject({ statusCode: 300 })
    await store.revokeCurveKey("*", publicKey)
    store.setAvailable(true)
    expect(store.state).toBe("up")
    expect(store.checkCurveKey("app", publicKey)).toMatchObject({ statusCode: 400 })
    expect(states).toEqual(["down: MemoryCredentialStore was made unavailable", "up"])
  })

  it("throws the signal's reason for a check whose answer is no longer wanted", () => {
    const store = new MemoryCredentialStore()
    const controller = new AbortController()
    controller.abort(new Error("timed out"))
    expect(() => store.checkCurveKey("app", key(), { signal: controller.signal })).toThrow("timed out")
    expect(() => store.checkPlain("app", "alice", Buffer.from("x"), { signal: controller.signal })).toThrow("timed out")
  })

  it("reports itself as the one node of its fleet", async () => {
    const store = new MemoryCredentialStore({ node: "node-a" })
    const receipt = await store.addCurveKey("app", key())
    expect(await store.waitForFleet(receipt)).toMatchObject({ applied: ["node-a"], pending: [] })
    expect(await store.waitForFleet({ generation: receipt.generation + 1 }, { timeoutMs: 10 })).toMatchObject({
      applied: [],
      pending: ["node-a"],
    })
    await expect(store.waitForFleet({ generation: -1 })).rejects.toThrow(/receipt/)
    await expect(store.waitForFleet(receipt, { timeoutMs: -1 })).rejects.toThrow(/timeoutMs/)
  })

  it("rejects bad arguments with AuthenticatorError naming them, changing nothing", async () => {
    const store = new MemoryCredentialStore()
    const publicKey = key()
    const bad: Array<[() => Promise<unknown>, RegExp]> = [
      [() => store.addCurveKey(7 as never, publicKey), /domain/],
      [() => store.addCurveKey("app", "short"), /publicKey must be 40 Z85 characters/],
      [() => store.addCurveKey("app", "~".repeat(40)), /publicKey has characters outside the Z85 alphabet/],
      [() => store.addCurveKey("app", publicKey, { userId: 7 as never }), /options\.userId/],
      [() => store.addCurveKey("app", publicKey, { notAfter: new Date(Number.NaN) }), /options\.notAfter/],
      [() => store.addCurveKey("app", publicKey, { notAfter: "tomorrow" as never }), /options\.notAfter/],
      [() => store.revokeCurveKey("app", Buffer.alloc(31)), /publicKey must be .* got 31 bytes/],
      [() => store.setPassword("app", null as never, "secret"), /username/],
      [() => store.setPassword("app", "alice", 12345 as never), /password must be a string, got number/],
      [() => store.removeUser(undefined as never, "alice"), /domain/],
    ]
    for (const [call, message] of bad) {
      const error = await call().then(
        () => undefined,
        (reason: unknown) => reason
      )
      expect(error).toBeInstanceOf(AuthenticatorError)
      expect((error as Error).message).toMatch(message)
      expect((error as Error).message).not.toContain("12345")
    }
    expect(store.generation).toBe(0)
    expect(store.checkCurveKey("app", publicKey)).toBe(false)
    expect(() => new MemoryCredentialStore({ node: "" })).toThrow(/options\.node/)
    expect(() => store.setAvailable("no" as never)).toThrow(/available must be a boolean/)
  })

  it("refuses use once closed, and closes once", async () => {
    const store = new MemoryCredentialStore()
    const publicKey = key()
    await store.addCurveKey("app", publicKey)
    await store.close()
    await store[Symbol.asyncDispose]()
    expect(() => store.checkCurveKey("app", publicKey)).toThrow(AuthenticatorError)
    expect(() => store.checkPlain("app", "alice", Buffer.from("x"))).toThrow(/closed/)
    await expect(store.addCurveKey("app", publicKey)).rejects.toThrow(/closed/)
  })
})
