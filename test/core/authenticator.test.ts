import { describe, expect, it } from "vitest"
import { curveKeyPair } from "zeromq"
import {
  Authenticator,
  AuthenticatorError,
  CURVE_ALLOW_ANY,
  z85,
  type DecisionEvent,
  type ZapRequest,
} from "@zmq-auth/core"
import { decideNullFrom } from "../helpers/null-request.js"

function request(
  mechanism: string,
  credentials: Array<string | Buffer> = [],
  domain = "global",
  address = "127.0.0.1"
): ZapRequest {
  return {
    version: "1.0",
    requestId: Buffer.from("id"),
    domain,
    address,
    identity: Buffer.alloc(0),
    mechanism,
    credentials: credentials.map((value) => (typeof value === "string" ? Buffer.from(value) : value)),
  }
}

const curveRequest = (publicKey: string, domain = "global"): ZapRequest =>
  request("CURVE", [z85.decode(publicKey)], domain)

describe("Authenticator without sockets", () => {
  it("validates its options with TypeError naming the option", () => {
    expect(() => new Authenticator({ callbackTimeoutMs: 0 })).toThrow(/callbackTimeoutMs/)
    expect(() => new Authenticator({ callbackTimeoutMs: Number.NaN })).toThrow(TypeError)
    expect(() => new Authenticator({ curveUserId: "x" as never })).toThrow(/curveUserId/)
  })

  it("never rejects, even on a request that is not one, with or without decision listeners", async () => {
    const engine = new Authenticator()
    const garbage = [null, undefined, 7, "PLAIN", {}, { mechanism: "PLAIN" }, request("PLAIN", ["only-user"])]
    for (const listening of [false, true]) {
      // A decision listener must not turn authenticate(null) into a TypeError rejection.
      if (listening) engine.on("decision", () => undefined)
      for (const value of garbage) {
        const reply = await engine.authenticate(value as unknown as ZapRequest)
        expect(reply.statusCode).not.toBe(200)
      }
    }
  })

  it("throws AuthenticatorError on malformed keys without printing them", () => {
    const engine = new Authenticator()
    const secretLooking = "S".repeat(39)
    expect(() => engine.configureCurveKeys("*", [secretLooking])).toThrow(AuthenticatorError)
    expect(() => engine.configureCurveKeys("*", [secretLooking])).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(secretLooking) })
    )
    expect(() => engine.configureCurveKeys("*", [new Uint8Array(31)])).toThrow(
      /#0 must be 40 Z85 characters or 32 bytes, got 31 bytes/
    )
    expect(() => engine.configureCurveKeys("*", ['"'.repeat(40)])).toThrow(/outside the Z85 alphabet/)
  })

  it("accepts 32-byte keys and reports them in Z85", async () => {
    const { publicKey } = curveKeyPair()
    const engine = new Authenticator().configureCurveKeys("*", [z85.decode(publicKey)])
    expect(await engine.authenticate(curveRequest(publicKey))).toMatchObject({ statusCode: 200, userId: publicKey })
  })

  it("rejects bad configuration arguments with AuthenticatorError", async () => {
    const engine = new Authenticator()
    expect(() => engine.configurePlain(7 as unknown as string, {})).toThrow(AuthenticatorError)
    expect(() => engine.configurePlain("*", { admin: 5 as unknown as string })).toThrow(/admin/)
    expect(() => engine.configureCurveCallback("*", "nope" as never)).toThrow(AuthenticatorError)
    expect(() => engine.allow("")).toThrow(AuthenticatorError)
    expect(() => engine.allow("10.0.0.0/33")).toThrow(/prefix/)
    await expect(engine.configureCurve("*", "")).rejects.toBeInstanceOf(AuthenticatorError)
  })

  it("accepts PLAIN passwords from a Map", async () => {
    const engine = new Authenticator().configurePlain("*", new Map([["admin", "secret"]]))
    expect(await engine.authenticate(request("PLAIN", ["admin", "secret"]))).toMatchObject({
      statusCode: 200,
      userId: "admin",
    })
  })

  it("compares passwords of any length without leaking which prefix matched", async () => {
    const engine = new Authenticator().configurePlain("*", { admin: "secret" })
    for (const password of ["", "s", "secre", "secret ", "secret".repeat(100)]) {
      expect((await engine.authenticate(request("PLAIN", ["admin", password]))).statusText).toBe("Invalid password")
    }
  })

  it("compares empty, non-ASCII and repeating passwords byte for byte", async () => {
    const engine = new Authenticator().configurePlain("*", { empty: "", accent: "pässwörd", ab: "ab" })
    const status = async (username: string, password: string | Buffer): Promise<string> =>
      (await engine.authenticate(request("PLAIN", [username, password]))).statusText
    expect(await status("empty", "")).toBe("OK")
    expect(await status("empty", "x")).toBe("Invalid password")
    expect(await status("empty", Buffer.from([0]))).toBe("Invalid password")
    expect(await status("accent", "pässwörd")).toBe("OK")
    expect(await status("accent", Buffer.from("pässwörd", "latin1"))).toBe("Invalid password")
    expect(await status("accent", "passwoerd")).toBe("Invalid password")
    // A password made of the stored one repeated must not match by cycling over it.
    expect(await status("ab", "abab")).toBe("Invalid password")
    expect(await status("ab", "a")).toBe("Invalid password")
    expect(await status("ab", "ab")).toBe("OK")
  })

  it("lets a subclass override curveUserId", async () => {
    class Directory extends Authenticator {
      override curveUserId(publicKey: string): string {
        return `user:${publicKey.slice(0, 4)}`
      }
    }
    const { publicKey } = curveKeyPair()
    const engine = new Directory()
    await engine.configureCurve("*", CURVE_ALLOW_ANY)
    expect((await engine.authenticate(curveRequest(publicKey))).userId).toBe(`user:${publicKey.slice(0, 4)}`)
  })

  it("denies with 500 when curveUserId returns a non-string", async () => {
    const engine = new Authenticator({ curveUserId: () => 42 as unknown as string })
    await engine.configureCurve("*", CURVE_ALLOW_ANY)
    const events: DecisionEvent[] = []
    engine.on("decision", (event) => events.push(event))
    expect(await engine.authenticate(curveRequest(curveKeyPair().publicKey))).toMatchObject({
      statusCode: 500,
      userId: "",
    })
    expect(events[0]?.error?.message).toMatch(/not a string/)
  })

  it("decides with the policy it started with while being reconfigured", async () => {
    const engine = new Authenticator()
    const { publicKey } = curveKeyPair()
    let release!: (value: boolean) => void
    let asked!: () => void
    const callbackAsked = new Promise<void>((resolve) => {
      asked = resolve
    })
    engine.configureCurveCallback("*", () => {
      asked()
      return new Promise<boolean>((resolve) => {
        release = resolve
      })
    })
    const pending = engine.authenticate(curveRequest(publicKey))
    await callbackAsked
    engine.configureCurveKeys("*", [])
    release(true)
    expect((await pending).statusCode).toBe(200)
    expect((await engine.authenticate(curveRequest(publicKey))).statusText).toBe("Unknown key")
  })

  it("keeps deciding when a decision listener throws", async () => {
    const engine = new Authenticator()
    engine.on("decision", () => {
      throw new Error("listener bug")
    })
    const warnings: string[] = []
    const onWarning = (warning: Error): void => {
      warnings.push(warning.message)
    }
    process.on("warning", onWarning)
    try {
      expect((await engine.authenticate(request("NULL"))).statusCode).toBe(200)
      await new Promise<void>((resolve) => process.nextTick(resolve))
    } finally {
      process.off("warning", onWarning)
    }
    expect(warnings.some((message) => message.includes("listener bug"))).toBe(true)
  })

  it("reports the elapsed time of each decision: at least what its callback took, at most the whole call", async () => {
    const engine = new Authenticator()
    let held = 0
    engine.configureCurveCallback("*", async () => {
      const entered = performance.now()
      await new Promise((resolve) => setTimeout(resolve, 30))
      held = performance.now() - entered
      return true
    })
    const events: DecisionEvent[] = []
    engine.on("decision", (event) => events.push(event))
    const called = performance.now()
    await engine.authenticate(request("CURVE", [Buffer.alloc(32, 7)]))
    const whole = performance.now() - called
    expect(events).toHaveLength(1)
    expect(events[0]!.elapsedMs).toBeGreaterThanOrEqual(held)
    expect(events[0]!.elapsedMs).toBeLessThanOrEqual(whole)
  })

  it("treats allow() without addresses as no list", async () => {
    const engine = new Authenticator().allow()
    expect((await engine.authenticate(request("NULL"))).statusCode).toBe(200)
    expect(() => engine.deny("10.0.0.1")).not.toThrow()
  })

  it("matches IPv6 subnets", async () => {
    const engine = new Authenticator().deny("fd00::/8")
    expect((await engine.authenticate(request("NULL", [], "global", "fd12::1"))).statusText).toBe("Address denied")
    expect((await engine.authenticate(request("NULL", [], "global", "::1"))).statusCode).toBe(200)
  })
})

describe("address canonical forms", () => {
  const decide = decideNullFrom

  it("matches IPv4-mapped IPv6 peers against IPv4 entries, dotted or hex", async () => {
    const engine = new Authenticator().deny("127.0.0.1")
    expect(await decide(engine, "::ffff:127.0.0.1")).toBe("Address denied")
    expect(await decide(engine, "::FFFF:7f00:1")).toBe("Address denied")
    expect(await decide(engine, "::ffff:127.0.0.2")).toBe("OK")
  })
  it("matches IPv6 spellings of one address", async () => {
    const engine = new Authenticator().allow("0:0:0:0:0:0:0:1", "::ffff:10.1.2.3")
    expect(await decide(engine, "::1")).toBe("OK")
    expect(await decide(engine, "10.1.2.3")).toBe("OK")
    expect(await decide(engine, "::2")).toBe("Address not allowed")
  })
  it("matches IPv4-mapped peers against IPv4 subnets", async () => {
    const engine = new Authenticator().deny("10.0.0.0/8")
    expect(await decide(engine, "::ffff:10.9.9.9")).toBe("Address denied")
  })
})

describe("address list entries", () => {
  it("rejects entries that are not IP addresses or subnets, so a typo cannot silently disable a deny", () => {
    for (const entry of ["localhost", "127.0.0.01", "10.0.0.0/x", "fe80::1%"]) {
      expect(() => new Authenticator().deny(entry)).toThrow(AuthenticatorError)
    }
  })
})
