import { describe, expect, it } from "vitest"
import { Authenticator, type CredentialCheck, type DecisionEvent, type ZapRequest } from "@zmq-auth/core"
import { newClientKeys } from "../helpers/sockets.js"
import { curveRequest } from "../helpers/zap-request.js"

/** A CURVE request of domain "d" from a new client key. */
function newClientRequest(): ZapRequest {
  return curveRequest(newClientKeys().publicKey)
}

/** An engine whose key callback answers each call with a promise the test settles. */
function engineWithHeldAnswers(maxPendingChecks: number): {
  engine: Authenticator
  answers: ((allowed: boolean) => void)[]
} {
  const engine = new Authenticator({ callbackTimeoutMs: 60_000, maxPendingChecks })
  const answers: ((allowed: boolean) => void)[] = []
  engine.configureCurveCallback("*", () => new Promise<boolean>((resolve) => answers.push(resolve)))
  return { engine, answers }
}

describe("pending-check slots", () => {
  it("frees a domain's slot when its check settles", async () => {
    const { engine, answers } = engineWithHeldAnswers(1)
    const first = engine.authenticate(newClientRequest())
    expect((await engine.authenticate(newClientRequest())).statusCode).toBe(300)
    answers[0]!(true)
    expect((await first).statusCode).toBe(200)
    const second = engine.authenticate(newClientRequest())
    expect(answers).toHaveLength(2)
    answers[1]!(true)
    expect((await second).statusCode).toBe(200)
  })

  it("still counts the checks outstanding after one of them settles", async () => {
    const { engine, answers } = engineWithHeldAnswers(2)
    const first = engine.authenticate(newClientRequest())
    void engine.authenticate(newClientRequest())
    answers[0]!(true)
    expect((await first).statusCode).toBe(200)
    void engine.authenticate(newClientRequest())
    const fourth = engine.authenticate(newClientRequest())
    expect(answers).toHaveLength(3)
    expect((await fourth).statusCode).toBe(300)
  })

  it("leaves the signal of a check that answered alone when the adapter stops later", async () => {
    const engine = new Authenticator({ callbackTimeoutMs: 60_000 })
    let check: CredentialCheck | undefined
    engine.configureCurveCallback("*", (_domain, _key, given) => {
      check = given
      return Promise.resolve(true)
    })
    const adapter = new AbortController()
    expect((await engine.authenticate(newClientRequest(), { signal: adapter.signal })).statusCode).toBe(200)
    adapter.abort(new Error("adapter stops"))
    expect(check?.signal.aborted).toBe(false)
  })

  it("reports an abandoned check with the adapter's reason as its message and cause", async () => {
    const engine = new Authenticator({ callbackTimeoutMs: 60_000 })
    engine.configureCurveCallback("*", () => new Promise<boolean>(() => undefined))
    const events: DecisionEvent[] = []
    engine.on("decision", (event) => events.push(event))
    const adapter = new AbortController()
    const reason = new Error("adapter stops")
    const reply = engine.authenticate(newClientRequest(), { signal: adapter.signal })
    adapter.abort(reason)
    expect((await reply).statusCode).toBe(500)
    expect(await engine.authenticate(newClientRequest(), { signal: adapter.signal })).toMatchObject({ statusCode: 500 })
    expect(events).toHaveLength(2)
    for (const event of events) {
      expect(event.error?.message).toMatch(/ was abandoned: adapter stops$/)
      expect(event.error?.cause).toBe(reason)
    }
  })
})
