import { describe, expect, it } from "vitest"
import {
  Authenticator,
  z85,
  type CredentialCheck,
  type CredentialStore,
  type DecisionEvent,
  type ZapRequest,
} from "@zmq-auth/core"
import { newClientKeys } from "../helpers/sockets.js"

function request(mechanism: "PLAIN" | "CURVE", domain: string, credentials: Buffer[]): ZapRequest {
  return {
    version: "1.0",
    requestId: Buffer.from("9"),
    domain,
    address: "192.0.2.1",
    identity: Buffer.alloc(0),
    mechanism,
    credentials,
  }
}
const plain = (domain: string, username: string, password: string): ZapRequest =>
  request("PLAIN", domain, [Buffer.from(username), Buffer.from(password)])
const curve = (domain: string, publicKey: string): ZapRequest => request("CURVE", domain, [z85.decode(publicKey)])

describe("Authenticator.configureStore", () => {
  it("rejects what is not a store with ERR_AUTHENTICATOR", () => {
    const engine = new Authenticator()
    for (const bad of [null, {}, { checkPlain: 1 }, { checkCurveKey: () => true, close: "no" }]) {
      expect(() => engine.configureStore("*", bad as unknown as CredentialStore)).toThrow(
        expect.objectContaining({ code: "ERR_AUTHENTICATOR" })
      )
    }
    expect(engine.stores).toEqual([])
  })

  it("replaces only the mechanisms the store implements; composes with configurePlain/CurveKeys", async () => {
    const known = newClientKeys()
    const engine = new Authenticator()
      .configurePlain("*", { admin: "secret" })
      .configureCurveKeys("*", [known.publicKey])
    const curveOnly: CredentialStore = { checkCurveKey: () => ({ statusCode: 200, userId: "from-store" }) }
    engine.configureStore("*", curveOnly)
    expect(await engine.authenticate(plain("d", "admin", "secret"))).toMatchObject({ statusCode: 200, userId: "admin" })
    expect(await engine.authenticate(curve("d", newClientKeys().publicKey))).toMatchObject({
      statusCode: 200,
      userId: "from-store",
    })
    engine.configureCurveKeys("*", [known.publicKey])
    expect(await engine.authenticate(curve("d", newClientKeys().publicKey))).toMatchObject({
      statusCode: 400,
      statusText: "Unknown key",
    })
    const plainOnly: CredentialStore = { checkPlain: (_domain, username) => username === "store-user" }
    engine.configureStore("*", plainOnly)
    expect(await engine.authenticate(plain("d", "admin", "secret"))).toMatchObject({
      statusCode: 400,
      statusText: "Invalid password",
    })
    expect(await engine.authenticate(plain("d", "store-user", "x"))).toMatchObject({
      statusCode: 200,
      userId: "store-user",
    })
    expect(await engine.authenticate(curve("d", known.publicKey))).toMatchObject({
      statusCode: 200,
      userId: known.publicKey,
    })
    expect(engine.stores).toEqual([curveOnly, plainOnly])
  })

  it("gives the store the request's domain, a password copy wiped once the check settled, and a signal", async () => {
    const seen: Array<{ domain: string; password: Buffer; text: string; check: CredentialCheck | undefined }> = []
    const engine = new Authenticator().configureStore("*", {
      async checkPlain(domain, _username, password, check) {
        seen.push({ domain, password, text: password.toString(), check })
        return true
      },
    })
    const sent = plain("tenant-7", "u", "hunter2")
    expect(await engine.authenticate(sent)).toMatchObject({ statusCode: 200, userId: "u" })
    expect(seen[0]).toMatchObject({ domain: "tenant-7", text: "hunter2" })
    expect(seen[0]!.check?.signal).toBeInstanceOf(AbortSignal)
    expect(seen[0]!.password.every((byte) => byte === 0)).toBe(true)
    expect(seen[0]!.password.buffer).not.toBe(sent.credentials[1]!.buffer)
    expect(sent.credentials[1]!.toString()).toBe("hunter2")
  })

  it("answers 300 past maxPendingChecks store calls of a domain, never calling the store again", async () => {
    let calls = 0
    const engine = new Authenticator({ maxPendingChecks: 3, callbackTimeoutMs: 60_000 }).configureStore("*", {
      checkCurveKey: () => {
        calls++
        return new Promise(() => undefined)
      },
    })
    const events: DecisionEvent[] = []
    engine.on("decision", (event) => events.push(event))
    const adapter = new AbortController()
    const pending = Array.from({ length: 3 }, () =>
      engine.authenticate(curve("d", newClientKeys().publicKey), { signal: adapter.signal })
    )
    for (let index = 0; index < 50; index++) {
      expect(await engine.authenticate(curve("d", newClientKeys().publicKey))).toMatchObject({
        statusCode: 300,
        statusText: "Too many pending checks",
      })
    }
    expect(calls).toBe(3)
    adapter.abort()
    expect((await Promise.all(pending)).map((reply) => reply.statusCode)).toEqual([500, 500, 500])
  })

  it("passes a verdict's status text and metadata into a 200 reply", async () => {
    const engine = new Authenticator().configureCurveCallback("*", () => ({
      statusCode: 200,
      statusText: "Welcome",
      metadata: { Role: "admin" },
    }))
    expect(await engine.authenticate(curve("d", newClientKeys().publicKey))).toMatchObject({
      statusCode: 200,
      statusText: "Welcome",
      metadata: { Role: "admin" },
    })
  })

  it("treats malformed verdicts as 500, naming the fault without echoing values", async () => {
    const malformed = [
      { statusCode: 500 },
      { statusCode: 200, statusText: 1 },
      { statusCode: 200, metadata: { "": "x" } },
      { statusCode: 200, metadata: { A: 1 } },
      [true],
      "hunter2",
      null,
      1,
    ]
    for (const verdict of malformed) {
      const engine = new Authenticator().configureStore("*", { checkPlain: () => verdict as never })
      const events: DecisionEvent[] = []
      engine.on("decision", (event) => events.push(event))
      expect(await engine.authenticate(plain("d", "u", "hunter2"))).toMatchObject({
        statusCode: 500,
        statusText: "Internal error",
      })
      expect(events[0]?.error?.message).toMatch(/checkPlain/)
      expect(events[0]?.error?.message).not.toContain("hunter2")
    }
  })

  it("counts a store's 400 as a failed login for the guard, not its 300", async () => {
    const engine = new Authenticator({ guard: { maxFailures: 1, windowMs: 60_000 } }).configureStore("*", {
      checkPlain: (_domain, username) => (username === "busy" ? { statusCode: 300 } : false),
    })
    expect((await engine.authenticate(plain("d", "busy", "x"))).statusCode).toBe(300)
    expect((await engine.authenticate(plain("d", "busy", "x"))).statusCode).toBe(300)
    expect((await engine.authenticate(plain("d", "eve", "x"))).statusText).toBe("Invalid password")
    expect((await engine.authenticate(plain("d", "eve", "x"))).statusText).toBe("Too many failed attempts")
  })
})
