import { describe, expect, it } from "vitest"
import { Authenticator, FailureGuard, type DecisionEvent, type ZapRequest } from "@zmq-auth/core"

function plain(address: string, username: string, password: string): ZapRequest {
  return {
    version: "1.0",
    requestId: Buffer.from("1"),
    domain: "",
    address,
    identity: Buffer.alloc(0),
    mechanism: "PLAIN",
    credentials: [Buffer.from(username), Buffer.from(password)],
  }
}

describe("FailureGuard", () => {
  it("validates its options with a TypeError naming the option", () => {
    expect(() => new FailureGuard({ maxFailures: 0, windowMs: 1000 })).toThrow(/maxFailures/)
    expect(() => new FailureGuard({ maxFailures: 3, windowMs: 0 })).toThrow(/windowMs/)
    expect(() => new FailureGuard({ maxFailures: 3, windowMs: 1000, maxAddressFailures: 1.5 })).toThrow(
      /maxAddressFailures/
    )
    expect(() => new FailureGuard({ maxFailures: 3, windowMs: 1000, maxEntries: -1 })).toThrow(/maxEntries/)
    expect(() => new FailureGuard({ maxFailures: 3, windowMs: 1000, statusText: 4 as unknown as string })).toThrow(
      /statusText/
    )
    expect(() => new FailureGuard({ maxFailures: 3, windowMs: 1000, now: "x" as unknown as () => number })).toThrow(
      /now/
    )
    expect(() => new Authenticator({ guard: { maxFailures: -2, windowMs: 1 } })).toThrow(TypeError)
  })

  it("blocks an address on a user name after maxFailures, the address after maxAddressFailures, until aged out", () => {
    let clock = 0
    const guard = new FailureGuard({ maxFailures: 2, maxAddressFailures: 4, windowMs: 1000, now: () => clock })
    guard.recordFailure("a", "admin")
    expect(guard.check("a", "admin")).toBeUndefined()
    guard.recordFailure("a", "admin")
    expect(guard.check("a", "admin")).toEqual({ reason: "address+user", failures: 2, retryAfterMs: 1000 })
    expect(guard.check("a", "bob")).toBeUndefined()
    expect(guard.check("b", "admin")).toBeUndefined()
    guard.recordFailure("a", "bob")
    clock = 500
    guard.recordFailure("a", "carol")
    expect(guard.check("a")).toEqual({ reason: "address", failures: 4, retryAfterMs: 500 })
    clock = 999
    expect(guard.check("a")?.reason).toBe("address")
    clock = 1000
    expect(guard.check("a")).toBeUndefined()
    expect(guard.check("a", "admin")).toBeUndefined()
  })

  it("keeps at most maxEntries counters under a flood of distinct names and addresses, blocked ones last to go", () => {
    const guard = new FailureGuard({
      maxFailures: 2,
      maxAddressFailures: 100_000,
      windowMs: 60_000,
      maxEntries: 1000,
      now: () => 0,
    })
    guard.recordFailure("attacker", "admin")
    guard.recordFailure("attacker", "admin")
    for (let index = 0; index < 10_000; index++)
      guard.recordFailure(`10.0.${index >> 8}.${index & 255}`, `user-${index}`)
    expect(guard.size).toBeLessThanOrEqual(1000)
    expect(guard.check("attacker", "admin")?.reason).toBe("address+user")
  })
})

describe("the engine's guard", () => {
  it("answers a blocked request 400 unchecked (blocked in the event); the password works elsewhere", async () => {
    const engine = new Authenticator({ guard: { maxFailures: 2, windowMs: 60_000 } }).configurePlain("*", {
      admin: "secret",
    })
    const events: DecisionEvent[] = []
    engine.on("decision", (event) => events.push(event))
    for (let index = 0; index < 2; index++)
      expect((await engine.authenticate(plain("192.0.2.7", "admin", "guess"))).statusText).toBe("Invalid password")
    expect(await engine.authenticate(plain("192.0.2.7", "admin", "secret"))).toMatchObject({
      statusCode: 400,
      statusText: "Too many failed attempts",
      userId: "",
    })
    expect(events.at(-1)?.blocked).toMatchObject({ reason: "address+user", failures: 2 })
    expect(events.at(-1)?.request.credentials.map(String)).toEqual(["admin", "[redacted]"])
    expect(await engine.authenticate(plain("192.0.2.8", "admin", "secret"))).toMatchObject({
      statusCode: 200,
      userId: "admin",
    })
    expect(events.at(-1)?.blocked).toBeUndefined()
  })

  it("fails closed with 500 when the clock throws", async () => {
    const engine = new Authenticator({
      guard: {
        maxFailures: 2,
        windowMs: 60_000,
        now: () => {
          throw new Error("clock down")
        },
      },
    }).configurePlain("*", { admin: "secret" })
    expect(await engine.authenticate(plain("192.0.2.7", "admin", "secret"))).toMatchObject({ statusCode: 500 })
  })

  it("does not count 300, 500 or non-PLAIN denials", async () => {
    const engine = new Authenticator({ guard: { maxFailures: 1, windowMs: 60_000 } }).configurePlain("other", {
      admin: "secret",
    })
    expect((await engine.authenticate(plain("192.0.2.7", "admin", "guess"))).statusText).toBe("No passwords defined")
    engine.configurePlain("*", { admin: "secret" })
    expect(await engine.authenticate(plain("192.0.2.7", "admin", "secret"))).toMatchObject({ statusCode: 200 })
  })
})
