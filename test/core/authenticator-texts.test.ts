import { describe, expect, it } from "vitest"
import {
  Authenticator,
  AuthenticatorError,
  type CredentialStore,
  type CustomCheck,
  type ZapRequest,
} from "@zmq-auth/core"
import { thrownBy } from "../helpers/thrown-by.js"

const KEY = Buffer.alloc(32, 7)

function request(mechanism: string, domain: string, credentials: Buffer[]): ZapRequest {
  return {
    version: "1.0",
    requestId: Buffer.from("t"),
    domain,
    address: "192.0.2.7",
    identity: Buffer.alloc(0),
    mechanism,
    credentials,
  }
}
const plain = (domain: string): ZapRequest => request("PLAIN", domain, [Buffer.from("admin"), Buffer.from("pw")])
const curve = (domain: string): ZapRequest => request("CURVE", domain, [KEY])

/** The reply and the error message the decision event reports for `request`. */
async function decide(engine: Authenticator, input: ZapRequest): Promise<[string, string | undefined]> {
  let message: string | undefined
  engine.once("decision", (event) => (message = event.error?.message))
  const reply = await engine.authenticate(input)
  return [`${reply.statusCode} ${reply.statusText}`, message]
}

describe("Authenticator options and configuration errors say exactly what is wrong", () => {
  it("names the option and the value it refuses", () => {
    expect(thrownBy(() => new Authenticator({ callbackTimeoutMs: 0 })).message).toBe(
      "callbackTimeoutMs must be a positive number of milliseconds, got 0"
    )
    expect(thrownBy(() => new Authenticator({ curveUserId: "x" as never })).message).toBe(
      "curveUserId must be a function"
    )
    for (const [value, shown] of [
      [0, "0"],
      [1.5, "1.5"],
      [Number.MAX_SAFE_INTEGER + 1, String(Number.MAX_SAFE_INTEGER + 1)],
    ] as const) {
      const error = thrownBy(() => new Authenticator({ maxPendingChecks: value }))
      expect(error).toBeInstanceOf(TypeError)
      expect(error.message).toBe(`maxPendingChecks must be a positive integer, got ${shown}`)
    }
    expect(() => new Authenticator({ maxPendingChecks: 1 })).not.toThrow()
  })

  it("names what is wrong with a store, and applies nothing", () => {
    const engine = new Authenticator()
    const cases: Array<[unknown, string]> = [
      [null, "configureStore needs a CredentialStore object"],
      ["store", "configureStore needs a CredentialStore object"],
      [{ checkPlain: 1 }, "the store's checkPlain is not a function"],
      [{ checkCurveKey: "yes" }, "the store's checkCurveKey is not a function"],
      [{ checkCurveKey: () => true, close: "no" }, "the store's close is not a function"],
      [{ close: () => undefined }, "configureStore needs a store with checkPlain or checkCurveKey"],
    ]
    for (const [store, message] of cases) {
      const error = thrownBy(() => engine.configureStore("*", store as CredentialStore))
      expect(error).toBeInstanceOf(AuthenticatorError)
      expect(error.message).toBe(message)
    }
    expect(engine.stores).toEqual([])
  })

  it("names what is wrong with a custom check", () => {
    const engine = new Authenticator()
    expect(thrownBy(() => engine.addCheck("no" as never)).message).toBe("addCheck needs a function")
    expect(thrownBy(() => engine.addCheck(() => undefined, { stage: "during" as never })).message).toBe(
      'addCheck stage must be "before" or "after", got "during"'
    )
    expect(() => engine.addCheck(() => undefined, undefined)).not.toThrow()
  })

  it("refuses allow() after deny() and deny() after allow(), naming both", () => {
    expect(thrownBy(() => new Authenticator().deny("192.0.2.1").allow("192.0.2.2")).message).toBe(
      "allow() after deny(): use an allow list or a deny list, not both"
    )
    expect(thrownBy(() => new Authenticator().allow("192.0.2.1").deny("192.0.2.2")).message).toBe(
      "deny() after allow(): use an allow list or a deny list, not both"
    )
  })
})

describe("a failing check's error names the check and the domain", () => {
  it("a CURVE key callback", async () => {
    const engine = new Authenticator().configureCurveCallback("*", () => {
      throw new Error("boom")
    })
    expect(await decide(engine, curve("plant"))).toEqual([
      "500 Internal error",
      'CURVE key callback of domain "plant" threw: boom',
    ])
  })

  it("a store's checkCurveKey and checkPlain", async () => {
    const store: CredentialStore = {
      checkCurveKey: () => Promise.reject(new Error("db down")),
      checkPlain: () => Promise.reject(new Error("db down")),
    }
    const engine = new Authenticator().configureStore("*", store)
    expect(await decide(engine, curve("plant"))).toEqual([
      "500 Internal error",
      'credential store (checkCurveKey) of domain "plant" rejected: db down',
    ])
    expect(await decide(engine, plain("plant"))).toEqual([
      "500 Internal error",
      'credential store (checkPlain) of domain "plant" rejected: db down',
    ])
  })

  it("custom checks, by position and stage", async () => {
    const fails: CustomCheck = () => {
      throw new Error("nope")
    }
    const before = new Authenticator().addCheck(() => undefined).addCheck(fails)
    expect(await decide(before, request("NULL", "", []))).toEqual([
      "500 Internal error",
      "custom check #1 (before) threw: nope",
    ])
    const after = new Authenticator().addCheck(fails, { stage: "after" })
    expect(await decide(after, request("NULL", "", []))).toEqual([
      "500 Internal error",
      "custom check #0 (after) threw: nope",
    ])
  })
})
