import fc from "fast-check"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ZapHandler, type DecisionEvent } from "@zmq-auth/core"
import type { AdapterUnderTest, ServedEngine } from "../helpers/adapter.js"
import { rxAdapter } from "../helpers/rx-adapter.js"
import { threadAdapter } from "../helpers/thread-adapter.js"
import {
  EXAMPLE_REQUESTS,
  expectedReply,
  FUZZ_RUNS,
  POLICY,
  policyEngine,
  zapRequestFrames,
} from "./zap-arbitraries.js"
import { nullRequest, ZapClient, type RawZapReply } from "./zap-client.js"

// A live ZapHandler on inproc://zeromq.zap.01 of the global context receives fuzzed frame lists
// from a DEALER. Each case knows whether a reply is due (2 frames or more) and awaits exactly
// that; a dropped case is followed by a sentinel whose reply must be the next one.

const LIVE_RUNS = Math.max(100, Math.floor(FUZZ_RUNS / 2))
const BURSTS = Math.max(5, Math.floor(LIVE_RUNS / 50))

function checkReply(frames: readonly Buffer[], reply: RawZapReply): void {
  const expected = expectedReply(frames)
  expect(expected.kind).toBe("reply")
  if (expected.kind !== "reply") return
  expect(reply.frameCount).toBe(6)
  expect(reply.version).toBe("1.0")
  expect(reply.requestId.equals(frames[1]!)).toBe(true)
  expect({ statusCode: reply.statusCode, statusText: reply.statusText, userId: reply.userId }).toEqual({
    statusCode: String(expected.statusCode),
    statusText: expected.statusText,
    userId: expected.userId,
  })
}

describe(`live ZapHandler fuzz (${LIVE_RUNS} sequential cases, ${BURSTS} bursts)`, () => {
  const engine = policyEngine()
  const handler = new ZapHandler(engine)
  const decisions: DecisionEvent[] = []
  const handlerErrors: Error[] = []
  let protocolErrors = 0
  let client: ZapClient

  beforeAll(async () => {
    engine.on("decision", (event) => decisions.push(event))
    handler.on("protocol:error", () => protocolErrors++)
    handler.on("authenticate:error", (error) => handlerErrors.push(error))
    handler.on("reply:error", (error) => handlerErrors.push(error))
    await handler.start()
    client = new ZapClient()
  })
  afterAll(async () => {
    client.close()
    await handler.stop()
  })

  it("answers each request as the policy demands, drops what has no request id, never throws", async () => {
    await answersAsThePolicyDemands(client, LIVE_RUNS)
    expect(handler.running).toBe(true)
    expect(handlerErrors).toEqual([])
    expect(protocolErrors).toBeGreaterThan(0)
    const allowed = new Set(
      decisions.filter((event) => event.reply.statusCode === 200).map((event) => event.request.mechanism)
    )
    expect(allowed).toEqual(new Set(["NULL", "PLAIN", "CURVE"]))
    // Decision events agree with the replies: nothing the oracle denies was allowed.
    for (const event of decisions) {
      if (event.reply.statusCode !== 200) continue
      const { request } = event
      if (request.mechanism === "PLAIN") expect(request.credentials[0]!.toString()).toBe("admin")
      expect(request.address).not.toBe("10.0.0.1")
    }
  })

  it("answers bursts of concurrent fuzzed requests, each matched by its request id", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(zapRequestFrames, { minLength: 1, maxLength: 100 }), async (requests) => {
        // Unique request ids so replies (which may come out of order) can be matched.
        const cases = requests.map((frames, index) =>
          frames.length >= 2
            ? frames.map((frame, position) => (position === 1 ? Buffer.from(`burst-${index}`) : frame))
            : frames
        )
        const due = new Map<string, Buffer[]>()
        for (const frames of cases) if (expectedReply(frames).kind === "reply") due.set(frames[1]!.toString(), frames)
        for (const frames of cases) await client.send(frames)
        for (let received = 0; received < due.size; received++) {
          const reply = await client.receive()
          const frames = due.get(reply.requestId.toString())
          expect(frames, `reply for an unknown request id ${reply.requestId.toString()}`).toBeDefined()
          checkReply(frames!, reply)
        }
        const sentinel = await client.request(nullRequest("burst-sentinel"))
        expect(sentinel.requestId.toString()).toBe("burst-sentinel")
      }),
      { numRuns: BURSTS }
    )
    expect(handler.running).toBe(true)
    expect(handlerErrors).toEqual([])
  })
})

/** The same sequential fuzz through the thread and rx adapters (their own ZAP sockets and parsing paths). */
/**
 * Sends `runs` fuzzed requests one at a time: each one with a request id must get the reply
 * the policy demands; after one that is dropped, a NULL sentinel must be answered 200 (the
 * handler is still serving and answered nothing for the dropped one).
 */
async function answersAsThePolicyDemands(client: ZapClient, runs: number): Promise<void> {
  let sentinel = 0
  await fc.assert(
    fc.asyncProperty(zapRequestFrames, async (frames) => {
      await client.send(frames)
      if (expectedReply(frames).kind === "reply") {
        checkReply(frames, await client.receive())
        return
      }
      const id = `sentinel-${sentinel++}`
      await client.send(nullRequest(id))
      const reply = await client.receive()
      expect(reply.requestId.toString()).toBe(id)
      expect(reply.statusCode).toBe("200")
    }),
    { numRuns: runs, examples: EXAMPLE_REQUESTS.map((frames) => [frames]) }
  )
}

function runAdapterFuzz(adapter: AdapterUnderTest): void {
  const runs = Math.max(50, Math.floor(LIVE_RUNS / 2))
  describe(`live fuzz through the ${adapter.name} adapter (${runs} cases)`, () => {
    let served: ServedEngine
    let client: ZapClient

    beforeAll(async () => {
      served = await adapter.serve()
      await served.engine.deny(POLICY.deniedAddress)
      await served.engine.configurePlain("*", { [POLICY.username]: POLICY.password })
      await served.engine.configureCurveKeys("*", [POLICY.knownKey])
      client = new ZapClient()
    })
    afterAll(async () => {
      client.close()
      await served.stop()
    })

    it("answers each request as the policy demands and drops what has no request id", async () => {
      await answersAsThePolicyDemands(client, runs)
      const allowed = new Set(
        served.decisions.filter((event) => event.reply.statusCode === 200).map((event) => event.request.mechanism)
      )
      expect(allowed).toEqual(new Set(["NULL", "PLAIN", "CURVE"]))
    })
  })
}

for (const adapter of [threadAdapter, rxAdapter]) runAdapterFuzz(adapter)
