import { afterEach, describe, expect, it } from "vitest"
import { curveKeyPair, Dealer, Router } from "zeromq"
import { CURVE_ALLOW_ANY, requireZap, type DecisionEvent } from "@zmq-auth/core"
import type { AdapterUnderTest, ServedEngine, ServeOptions } from "../helpers/adapter.js"
import { decisionAt, firstHandshake, guard, type HandshakeOutcome } from "../helpers/pyzmq-scenarios.js"

const TIMEOUT_MS = 1_000

const THREW = /(threw|rejected): database down/
const LATE = new RegExp(`did not answer within ${TIMEOUT_MS} ms`)
/**
 * The timeout of the cases that must fail for another reason than time: a main thread slowed
 * down by a loaded machine must not turn their failure into a timeout.
 */
const PATIENT_MS = 10_000

/** Callbacks that misbehave, each of which must deny with 500 "Internal error" and say why. */
const BAD_CALLBACKS: Array<[name: string, callback: (domain: string, publicKey: string) => unknown, why: RegExp]> = [
  [
    "throws an Error",
    () => {
      throw new Error("database down")
    },
    THREW,
  ],
  [
    "throws a string",
    () => {
      throw "database down"
    },
    THREW,
  ],
  ["rejects", () => Promise.reject(new Error("database down")), THREW],
  ["hangs forever", () => new Promise(() => undefined), LATE],
  [
    "answers true after callbackTimeoutMs",
    () => new Promise((resolve) => setTimeout(() => resolve(true), TIMEOUT_MS * 2)),
    LATE,
  ],
  ["returns 1", () => 1, /returned number, not a boolean/],
  ['returns "true"', () => "true", /returned string, not a boolean/],
  ["returns null", () => null, /returned null, not a boolean or CredentialVerdict/],
  ["returns undefined", () => undefined, /returned undefined, not a boolean/],
  ["returns an object", () => ({ allowed: true }), /returned a verdict whose statusCode is not 200, 300 or 400/],
  ['resolves to "yes"', () => Promise.resolve("yes"), /returned string, not a boolean/],
  ["resolves to 1", () => Promise.resolve(1), /returned number, not a boolean/],
  ["returns a thenable of true that never settles", () => ({ then: () => undefined }), LATE],
]

/** User-id mappers that misbehave: CURVE_ALLOW_ANY would allow, the mapper must turn it into 500. */
const BAD_MAPPERS: Array<[name: string, mapper: (publicKey: string) => unknown, why: RegExp]> = [
  [
    "throws",
    () => {
      throw new Error("directory down")
    },
    /curveUserId (threw|rejected): directory down/,
  ],
  ["hangs forever", () => new Promise(() => undefined), LATE],
  ["returns a number", () => 42, /curveUserId returned number, not a string/],
  ["returns undefined", () => undefined, /curveUserId returned undefined, not a string/],
  ["resolves to null", () => Promise.resolve(null), /curveUserId returned object, not a string/],
  ["rejects", () => Promise.reject(new Error("directory down")), /curveUserId (threw|rejected): directory down/],
]

/**
 * Fault injection into the engine's callbacks, through one adapter: each misbehaving CURVE key
 * callback or user-id mapper must deny the real handshake with 500 and a decision event that
 * carries an `error`, and the adapter must keep serving.
 */
export function runCallbackFaults(adapter: AdapterUnderTest): void {
  describe(`misbehaving callbacks (${adapter.name} adapter, callbackTimeoutMs ${TIMEOUT_MS})`, () => {
    let served: ServedEngine | undefined
    const sockets: Array<Router | Dealer> = []
    const serverKeys = curveKeyPair()
    const clientKeys = curveKeyPair()

    afterEach(async () => {
      for (const socket of sockets.splice(0)) socket.close()
      await served?.stop()
      served = undefined
    })

    async function serve(options: ServeOptions = {}): Promise<ServedEngine> {
      served = await adapter.serve({ callbackTimeoutMs: TIMEOUT_MS, ...options })
      return served
    }

    /** A CURVE handshake against a server hardened with requireZap("faults"): its outcome. */
    async function handshake(): Promise<HandshakeOutcome> {
      const server = new Router({ linger: 0, curveServer: true, curveSecretKey: serverKeys.secretKey })
      requireZap(server, "faults")
      const outcome = firstHandshake(server)
      await server.bind("tcp://127.0.0.1:*")
      const client = new Dealer({
        linger: 0,
        curveServerKey: serverKeys.publicKey,
        curvePublicKey: clientKeys.publicKey,
        curveSecretKey: clientKeys.secretKey,
      })
      sockets.push(server, client)
      client.connect(server.lastEndpoint!)
      return guard(outcome, 10_000, "no handshake outcome")
    }

    /** One handshake and the decision it caused. */
    async function attempt(engine: ServedEngine): Promise<[HandshakeOutcome, DecisionEvent]> {
      const mark = engine.decisions.length
      const outcome = await handshake()
      return [outcome, await decisionAt(engine, mark)]
    }

    function expectInternalError([outcome, decision]: [HandshakeOutcome, DecisionEvent], why: RegExp): void {
      expect(outcome).toBe("handshake:error:auth")
      expect(decision.reply).toMatchObject({ statusCode: 500, statusText: "Internal error", userId: "" })
      expect(decision.error?.message, "the decision event names the failure").toMatch(why)
    }

    for (const [name, callback, why] of BAD_CALLBACKS) {
      it(`a CURVE key callback that ${name}: 500 with an error`, async () => {
        const engine = await serve(why === LATE ? {} : { callbackTimeoutMs: PATIENT_MS })
        await engine.engine.configureCurveCallback("*", callback as (domain: string, publicKey: string) => boolean)
        expectInternalError(await attempt(engine), why)
        // Still serving: a well-behaved callback decides the next handshake.
        await engine.engine.configureCurveCallback("*", (_domain, key) => key === clientKeys.publicKey)
        const [outcome, decision] = await attempt(engine)
        expect(outcome).toBe("handshake")
        expect(decision.reply).toMatchObject({ statusCode: 200, userId: clientKeys.publicKey })
      })
    }

    for (const [name, mapper, why] of BAD_MAPPERS) {
      it(`a curveUserId mapper that ${name}: 500 with an error, even under CURVE_ALLOW_ANY`, async () => {
        const engine = await serve({
          curveUserId: mapper as (publicKey: string) => string,
          ...(why === LATE ? {} : { callbackTimeoutMs: PATIENT_MS }),
        })
        await engine.engine.configureCurve("*", CURVE_ALLOW_ANY)
        expectInternalError(await attempt(engine), why)
      })
    }

    it("timeouts are per request: a hanging callback does not hold up the others", async () => {
      // Long enough for the fast answer on a loaded machine; the hanging one waits it out.
      const engine = await serve({ callbackTimeoutMs: 2_000 })
      let calls = 0
      // Every other call hangs; the handler decides concurrently, so the fast ones are not delayed to the timeout.
      await engine.engine.configureCurveCallback("*", () =>
        calls++ % 2 === 0 ? new Promise<boolean>(() => undefined) : false
      )
      const mark = engine.decisions.length
      const outcomes = await Promise.all([handshake(), handshake()])
      expect(outcomes).toEqual(["handshake:error:auth", "handshake:error:auth"])
      await decisionAt(engine, mark + 1)
      // The fast denial was decided first, without waiting for the hanging callback's timeout.
      expect(engine.decisions.slice(mark).map((decision) => decision.reply.statusText)).toEqual([
        "Unknown key",
        "Internal error",
      ])
    })
  })
}
