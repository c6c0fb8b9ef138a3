import { describe, expect, it } from "vitest"
import { Authenticator, DEFAULT_MAX_PENDING_CHECKS, z85, type CredentialCheck, type ZapRequest } from "@zmq-auth/core"
import { newClientKeys } from "../helpers/sockets.js"

function curveRequest(domain = "d"): ZapRequest {
  return {
    version: "1.0",
    requestId: Buffer.from("1"),
    domain,
    address: "127.0.0.1",
    identity: Buffer.alloc(0),
    mechanism: "CURVE",
    credentials: [z85.decode(newClientKeys().publicKey)],
  }
}

describe("Authenticator pending checks", () => {
  it("validates maxPendingChecks with a TypeError naming it", () => {
    for (const bad of [0, -1, 1.5, Number.NaN, "4" as unknown as number]) {
      expect(() => new Authenticator({ maxPendingChecks: bad })).toThrow(TypeError)
      expect(() => new Authenticator({ maxPendingChecks: bad })).toThrow(/maxPendingChecks/)
    }
    expect(DEFAULT_MAX_PENDING_CHECKS).toBe(64)
  })

  it("answers 500 at once when the adapter's signal is aborted, and aborts the callback's signal", async () => {
    const engine = new Authenticator({ callbackTimeoutMs: 60_000 })
    let check: CredentialCheck | undefined
    engine.configureCurveCallback("*", (_domain, _key, given) => {
      check = given
      return new Promise<boolean>(() => undefined)
    })
    const adapter = new AbortController()
    const reply = engine.authenticate(curveRequest(), { signal: adapter.signal })
    expect(check?.signal.aborted).toBe(false)
    adapter.abort(new Error("adapter stops"))
    expect(await reply).toMatchObject({ statusCode: 500, statusText: "Internal error" })
    expect(check?.signal.aborted).toBe(true)
  })

  it("does not call a callback for a request whose adapter signal is already aborted", async () => {
    const engine = new Authenticator()
    let calls = 0
    engine.configureCurveCallback("*", () => {
      calls++
      return Promise.resolve(true)
    })
    const reply = await engine.authenticate(curveRequest(), { signal: AbortSignal.abort() })
    expect(reply.statusCode).toBe(500)
    expect(calls).toBe(0)
  })

  it("keeps the bound under a burst of concurrent requests to a callback that never settles", async () => {
    const engine = new Authenticator({ callbackTimeoutMs: 60_000, maxPendingChecks: 8 })
    let calls = 0
    engine.configureCurveCallback("*", () => {
      calls++
      return new Promise<boolean>(() => undefined)
    })
    const adapter = new AbortController()
    const replies = Array.from({ length: 200 }, () => engine.authenticate(curveRequest(), { signal: adapter.signal }))
    const early = await Promise.all(replies.slice(8))
    expect(early.every((reply) => reply.statusCode === 300)).toBe(true)
    expect(calls).toBe(8)
    adapter.abort()
    expect((await Promise.all(replies.slice(0, 8))).map((reply) => reply.statusCode)).toEqual(Array(8).fill(500))
  })

  it("adds one listener to the adapter's signal however many checks wait on it (no leak warning)", async () => {
    const engine = new Authenticator({ callbackTimeoutMs: 60_000, maxPendingChecks: 100 })
    engine.configureCurveCallback("*", () => new Promise<boolean>(() => undefined))
    const warnings: string[] = []
    const onWarning = (warning: Error): void => {
      warnings.push(warning.name)
    }
    process.on("warning", onWarning)
    try {
      const adapter = new AbortController()
      const replies = Array.from({ length: 50 }, () => engine.authenticate(curveRequest(), { signal: adapter.signal }))
      adapter.abort()
      expect(new Set((await Promise.all(replies)).map((reply) => reply.statusCode))).toEqual(new Set([500]))
      await new Promise<void>((resolve) => setImmediate(resolve))
      expect(warnings).not.toContain("MaxListenersExceededWarning")
    } finally {
      process.off("warning", onWarning)
    }
  })
})
