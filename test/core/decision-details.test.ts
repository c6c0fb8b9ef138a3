import { once } from "node:events"
import { afterEach, describe, expect, it } from "vitest"
import { curveKeyPair } from "zeromq"
import {
  Authenticator,
  AuthenticatorError,
  type CustomCheckContext,
  type DecisionEvent,
  FailureGuard,
  type ZapRequest,
} from "@zmq-auth/core"
import { TestMetricsSdk } from "../helpers/metrics-sdk.js"
import { curveRequest, plainRequest, zapRequest } from "../helpers/zap-request.js"

/** The next `decision` event of `engine`, with the reply `authenticate(request)` resolved to. */
async function decideWithEvent(engine: Authenticator, request: ZapRequest): Promise<DecisionEvent> {
  const event = new Promise<DecisionEvent>((resolve) => engine.once("decision", resolve))
  const reply = await engine.authenticate(request)
  const decided = await event
  expect(decided.reply).toEqual(reply)
  return decided
}

describe("custom check verdicts become the reply", () => {
  it("a denial without a status text says 'Denied by check', an allow without one says 'OK'", async () => {
    const denying = new Authenticator().addCheck(() => ({ statusCode: 400 }))
    expect(await denying.authenticate(zapRequest())).toMatchObject({ statusCode: 400, statusText: "Denied by check" })
    const allowing = new Authenticator().addCheck(() => ({ statusCode: 200 }))
    expect(await allowing.authenticate(zapRequest())).toMatchObject({ statusCode: 200, statusText: "OK", userId: "" })
  })

  it("an allowing before-check's metadata and user id reach the reply", async () => {
    const engine = new Authenticator().addCheck(() => ({
      statusCode: 200,
      userId: "svc",
      metadata: { Role: "admin" },
    }))
    const reply = await engine.authenticate(zapRequest())
    expect(reply).toMatchObject({ statusCode: 200, userId: "svc", metadata: { Role: "admin" } })
  })

  it("an allowing after-check without user id or metadata keeps the policy's, with its status text", async () => {
    const engine = new Authenticator().configureStore("d", {
      checkPlain: () => ({ statusCode: 200, userId: "u-1", metadata: { Tier: "gold" } }),
    })
    engine.addCheck(() => ({ statusCode: 200, statusText: "Fine" }), { stage: "after" })
    const reply = await engine.authenticate(plainRequest("alice", "secret"))
    expect(reply).toMatchObject({ statusCode: 200, statusText: "Fine", userId: "u-1", metadata: { Tier: "gold" } })
  })

  it("an after-check's own metadata replaces the policy's", async () => {
    const engine = new Authenticator().configureStore("d", {
      checkPlain: () => ({ statusCode: 200, metadata: { Tier: "gold" } }),
    })
    engine.addCheck(() => ({ statusCode: 200, metadata: { Tier: "silver" } }), { stage: "after" })
    expect((await engine.authenticate(plainRequest("alice", "secret"))).metadata).toEqual({ Tier: "silver" })
  })

  it("before-checks get no reply in their context; after-checks get the policy's reply", async () => {
    const contexts: Array<{ stage: string; context: CustomCheckContext }> = []
    const engine = new Authenticator().configurePlain("d", { alice: "secret" })
    engine.addCheck((_request, context) => void contexts.push({ stage: "before", context }))
    engine.addCheck((_request, context) => void contexts.push({ stage: "after", context }), { stage: "after" })
    const request = plainRequest("alice", "secret")
    expect((await engine.authenticate(request)).statusCode).toBe(200)
    expect(contexts.map(({ stage }) => stage)).toEqual(["before", "after"])
    expect(Object.keys(contexts[0]!.context)).toEqual(["signal"])
    expect(contexts[1]!.context.reply).toEqual({
      requestId: request.requestId,
      statusCode: 200,
      statusText: "OK",
      userId: "alice",
    })
  })

  it("addCheck with null options runs the check before the policy, as with none", async () => {
    const engine = new Authenticator().configurePlain("d", { alice: "secret" })
    engine.addCheck(() => ({ statusCode: 200, userId: "early" }), null as unknown as undefined)
    expect((await engine.authenticate(plainRequest("mallory", "guess"))).userId).toBe("early")
  })
})

describe("built-in allows", () => {
  it("GSSAPI allows with status text 'OK' and the principal as user id", async () => {
    const engine = new Authenticator().configureGssapi("d")
    const request = zapRequest({ mechanism: "GSSAPI", credentials: [Buffer.from("alice@EXAMPLE.ORG")] })
    expect(await engine.authenticate(request)).toMatchObject({
      statusCode: 200,
      statusText: "OK",
      userId: "alice@EXAMPLE.ORG",
    })
  })

  it("a curveUserId override answering synchronously allows with status text 'OK'", async () => {
    class Mapped extends Authenticator {
      override curveUserId(publicKey: string): string {
        return `user:${publicKey.slice(0, 4)}`
      }
    }
    const { publicKey } = curveKeyPair()
    const engine = new Mapped().configureCurveKeys("d", [publicKey])
    expect(await engine.authenticate(curveRequest(publicKey))).toMatchObject({
      statusCode: 200,
      statusText: "OK",
      userId: `user:${publicKey.slice(0, 4)}`,
    })
  })

  it("with a brute-force guard, NULL and CURVE requests (no user name) are still decided by the policy", async () => {
    const { publicKey } = curveKeyPair()
    const engine = new Authenticator({ guard: { maxFailures: 1, windowMs: 60_000 } })
    engine.configureCurveKeys("d", [publicKey])
    expect(await engine.authenticate(zapRequest())).toMatchObject({ statusCode: 200, userId: "anonymous" })
    expect(await engine.authenticate(curveRequest(publicKey))).toMatchObject({ statusCode: 200, userId: publicKey })
  })

  it("a guard that fails to record a failed login turns the denial into 500, with the error in the event", async () => {
    class BrokenGuard extends FailureGuard {
      override recordFailure(): void {
        throw new Error("guard storage full")
      }
    }
    const engine = new Authenticator({ guard: new BrokenGuard({ maxFailures: 3, windowMs: 60_000 }) })
    engine.configurePlain("d", { alice: "secret" })
    const decided = await decideWithEvent(engine, plainRequest("alice", "wrong"))
    expect(decided.reply).toMatchObject({ statusCode: 500, statusText: "Internal error" })
    expect(decided.error?.message).toBe("guard storage full")
  })

  it("a listed CURVE key is allowed while the domain's checks are saturated (no user-id check)", async () => {
    const { publicKey } = curveKeyPair()
    let called!: () => void
    const storeCalled = new Promise<void>((resolve) => (called = resolve))
    const engine = new Authenticator({ maxPendingChecks: 1 })
    engine.configureStore("d", {
      checkPlain: () => {
        called()
        return new Promise<boolean>(() => undefined)
      },
    })
    engine.configureCurveKeys("d", [publicKey])
    const stopping = new AbortController()
    const held = engine.authenticate(plainRequest("alice", "secret"), { signal: stopping.signal })
    await storeCalled
    expect(await engine.authenticate(curveRequest(publicKey))).toMatchObject({ statusCode: 200, userId: publicKey })
    stopping.abort()
    expect((await held).statusCode).toBe(500)
  })

  it("configureCurveKeys without keys throws AuthenticatorError, not a TypeError from reading them", () => {
    const engine = new Authenticator()
    for (const keys of [undefined, null, 42]) {
      expect(() => engine.configureCurveKeys("d", keys as unknown as string[])).toThrow(AuthenticatorError)
      expect(() => engine.configureCurveKeys("d", keys as unknown as string[])).toThrow(
        "configureCurveKeys needs an iterable of keys"
      )
    }
  })
})

describe("decision events", () => {
  it("carry `blocked` and `error` only when they apply", async () => {
    const engine = new Authenticator({ guard: { maxFailures: 1, windowMs: 60_000 } }).configurePlain("d", {
      alice: "secret",
    })
    const allowed = await decideWithEvent(engine, plainRequest("alice", "secret"))
    expect(Object.keys(allowed).sort()).toEqual(["elapsedMs", "reply", "request"])
    await decideWithEvent(engine, plainRequest("alice", "wrong"))
    await decideWithEvent(engine, plainRequest("alice", "wrong"))
    const blocked = await decideWithEvent(engine, plainRequest("alice", "wrong"))
    expect(blocked.reply.statusCode).toBe(400)
    expect(Object.keys(blocked).sort()).toEqual(["blocked", "elapsedMs", "reply", "request"])
  })

  it("a decision listener that throws is reported as a warning naming the decision listener", async () => {
    const engine = new Authenticator()
    engine.on("decision", () => {
      throw new Error("listener bug")
    })
    const warning = once(process, "warning") as Promise<[Error]>
    expect((await engine.authenticate(zapRequest())).statusCode).toBe(200)
    const [emitted] = await warning
    expect(emitted.message).toBe("a zmq-auth decision listener threw: listener bug")
  })
})

describe("decision metrics name why a check failed", () => {
  let sdk: TestMetricsSdk | undefined
  afterEach(async () => {
    await sdk?.close()
    sdk = undefined
  })

  /** `[attributes, value]` of every data point of `name`, sorted. */
  async function points(name: string): Promise<Array<[Record<string, unknown>, unknown]>> {
    const found = (await sdk!.points(name)).map((point): [Record<string, unknown>, unknown] => [
      point.attributes,
      point.value,
    ])
    return found.sort((left, right) => JSON.stringify(left).localeCompare(JSON.stringify(right)))
  }

  it("timeouts by check kind: key callback, credential store, curveUserId", async () => {
    sdk = new TestMetricsSdk()
    const never = (): Promise<never> => new Promise<never>(() => undefined)
    class SlowIds extends Authenticator {
      override curveUserId(): Promise<string> {
        return never()
      }
    }
    const { publicKey } = curveKeyPair()
    const engine = new SlowIds({ callbackTimeoutMs: 20 })
    engine.configureCurveCallback("callback", never)
    engine.configureStore("store", { checkPlain: never })
    engine.configureCurveKeys("ids", [publicKey])
    const replies = await Promise.all([
      engine.authenticate(curveRequest(publicKey, "callback")),
      engine.authenticate(plainRequest("alice", "secret", "store")),
      engine.authenticate(curveRequest(publicKey, "ids")),
    ])
    expect(replies.map((reply) => reply.statusCode)).toEqual([500, 500, 500])
    expect(await points("zmq_auth.check.timeouts")).toEqual([
      [{ check: "callback" }, 1],
      [{ check: "store" }, 1],
      [{ check: "user_id" }, 1],
    ])
    expect(await points("zmq_auth.failures")).toEqual([[{ status_code: 500, cause: "timeout" }, 3]])
    const durations = await sdk.points("zmq_auth.decision.duration")
    for (const { value } of durations) expect((value as { sum: number }).sum).toBeLessThan(5)
  })

  it("causes: a store's 300 unavailable, a throw error, a malformed verdict malformed, a stop stopped", async () => {
    sdk = new TestMetricsSdk()
    const engine = new Authenticator({ callbackTimeoutMs: 60_000 })
    engine.configureStore("busy", { checkPlain: () => ({ statusCode: 300 }) })
    engine.configureCurveCallback("throws", () => {
      throw new Error("callback bug")
    })
    engine.configureCurveCallback("malformed", () => "yes" as unknown as boolean)
    engine.configureCurveCallback("held", () => new Promise<boolean>(() => undefined))
    const { publicKey } = curveKeyPair()
    const stopping = new AbortController()
    const held = engine.authenticate(curveRequest(publicKey, "held"), { signal: stopping.signal })
    const replies = await Promise.all([
      engine.authenticate(plainRequest("alice", "secret", "busy")),
      engine.authenticate(curveRequest(publicKey, "throws")),
      engine.authenticate(curveRequest(publicKey, "malformed")),
    ])
    stopping.abort()
    replies.push(await held)
    expect(replies.map((reply) => reply.statusCode)).toEqual([300, 500, 500, 500])
    expect(await points("zmq_auth.failures")).toEqual([
      [{ status_code: 300, cause: "unavailable" }, 1],
      [{ status_code: 500, cause: "error" }, 1],
      [{ status_code: 500, cause: "malformed" }, 1],
      [{ status_code: 500, cause: "stopped" }, 1],
    ])
    expect(await points("zmq_auth.check.timeouts")).toEqual([])
  })

  it("requests without a string mechanism or domain are denied and counted with empty ones", async () => {
    sdk = new TestMetricsSdk()
    const engine = new Authenticator()
    expect((await engine.authenticate(undefined as unknown as ZapRequest)).statusCode).toBe(500)
    const malformed = zapRequest({ mechanism: 7 as unknown as "NULL", domain: 8 as unknown as string })
    expect((await engine.authenticate(malformed)).statusCode).toBe(400)
    expect(await points("zmq_auth.decisions")).toEqual([
      [{ mechanism: "other", status_code: 400, domain: "" }, 1],
      [{ mechanism: "other", status_code: 500, domain: "" }, 1],
    ])
  })
})
