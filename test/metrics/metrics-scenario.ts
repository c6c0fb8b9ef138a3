import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { curveKeyPair } from "zeromq"
import type { AdapterUnderTest, ServedEngine } from "../helpers/adapter.js"
import { TestMetricsSdk, type Point } from "../helpers/metrics-sdk.js"
import { attemptHandshake, sendZapFrames, startServer, type TestServer } from "../helpers/sockets.js"

const CALLBACK_TIMEOUT_MS = 300

/** The data points of `name` as `{ attributes, value }`, sorted, histogram values reduced to their count. */
async function counted(
  sdk: TestMetricsSdk,
  name: string
): Promise<Array<{ attributes: Record<string, unknown>; value: number }>> {
  const points = await sdk.points(name)
  return points
    .map((point: Point) => ({
      attributes: point.attributes,
      value: typeof point.value === "number" ? point.value : point.value.count,
    }))
    .sort((left, right) => JSON.stringify(left.attributes).localeCompare(JSON.stringify(right.attributes)))
}

/**
 * The metrics every adapter must export after one scripted set of real handshakes: allowed,
 * denied per cause, a malformed request and a callback timeout. The SDK is the real one, its
 * reader collects after the adapter stopped (the thread adapter sends its last batch then).
 */
export function describeAdapterMetrics(adapter: AdapterUnderTest): void {
  describe(`OpenTelemetry metrics (${adapter.name} adapter)`, () => {
    let sdk: TestMetricsSdk
    let served: ServedEngine | undefined
    const servers: TestServer[] = []

    beforeEach(() => {
      sdk = new TestMetricsSdk()
    })
    afterEach(async () => {
      for (const server of servers.splice(0)) server.close()
      await served?.stop()
      served = undefined
      await sdk.close()
    })

    it("exports decisions by mechanism, status, server-set domain, durations, failures, protocol errors", async () => {
      served = await adapter.serve({ callbackTimeoutMs: CALLBACK_TIMEOUT_MS })
      await served.engine.configurePlain("app", { alice: "secret" })
      await served.engine.configureCurveCallback("slow", () => new Promise<boolean>(() => undefined))
      const open = await startServer({ mechanism: "NULL", domain: "open" })
      const app = await startServer({ mechanism: "PLAIN", domain: "app" })
      const slow = await startServer({ mechanism: "CURVE", domain: "slow" })
      servers.push(open, app, slow)

      expect(await attemptHandshake(open, { mechanism: "NULL" })).toBe("handshake")
      expect(await attemptHandshake(app, { mechanism: "PLAIN", username: "alice", password: "secret" })).toBe(
        "handshake"
      )
      // Clients choose user names and passwords, never the ZAP domain: these add no domain value.
      for (const username of ["alice", "domain-of-my-choice"]) {
        expect(await attemptHandshake(app, { mechanism: "PLAIN", username, password: "wrong" })).toBe(
          "handshake:error:auth"
        )
      }
      expect(await attemptHandshake(slow, { mechanism: "CURVE", ...curveKeyPair() })).toBe("handshake:error:auth")
      const reply = await sendZapFrames([
        Buffer.from("2.0"),
        Buffer.from("id"),
        Buffer.from("x"),
        Buffer.from("127.0.0.1"),
        Buffer.alloc(0),
        Buffer.from("NULL"),
      ])
      expect(reply[2]?.toString()).toBe("400")
      for (let decided = 0; decided < 5; decided++) await served.nextDecision()
      await served.stop()
      served = undefined

      expect(await counted(sdk, "zmq_auth.decisions")).toEqual([
        { attributes: { mechanism: "CURVE", status_code: 500, domain: "slow" }, value: 1 },
        { attributes: { mechanism: "NULL", status_code: 200, domain: "open" }, value: 1 },
        { attributes: { mechanism: "PLAIN", status_code: 200, domain: "app" }, value: 1 },
        { attributes: { mechanism: "PLAIN", status_code: 400, domain: "app" }, value: 2 },
      ])
      expect(await counted(sdk, "zmq_auth.decision.duration")).toEqual(await counted(sdk, "zmq_auth.decisions"))
      const [timedOut] = (await sdk.points("zmq_auth.decision.duration")).filter(
        (point) => point.attributes["domain"] === "slow"
      )
      expect((timedOut?.value as { sum: number }).sum).toBeGreaterThanOrEqual(CALLBACK_TIMEOUT_MS / 1000 - 0.01)
      expect(timedOut?.unit).toBe("s")
      expect(await counted(sdk, "zmq_auth.failures")).toEqual([
        { attributes: { status_code: 500, cause: "timeout" }, value: 1 },
      ])
      expect(await counted(sdk, "zmq_auth.check.timeouts")).toEqual([{ attributes: { check: "callback" }, value: 1 }])
      expect(await counted(sdk, "zmq_auth.protocol_errors")).toEqual([
        { attributes: { status_text: "Invalid version" }, value: 1 },
      ])
      expect(await counted(sdk, "zmq_auth.decisions.in_flight")).toEqual([{ attributes: {}, value: 0 }])
      expect(await counted(sdk, "zmq_auth.guard.blocks")).toEqual([])
    })

    it("counts guard blocks and 300s of a saturated domain", async () => {
      served = await adapter.serve({
        callbackTimeoutMs: 5000,
        maxPendingChecks: 1,
        guard: { maxFailures: 1, windowMs: 60_000 },
      })
      await served.engine.configurePlain("app", { alice: "secret" })
      let release: (accepted: boolean) => void = () => undefined
      let called: () => void = () => undefined
      const calledOnce = new Promise<void>((resolve) => (called = resolve))
      await served.engine.configureCurveCallback("held", () => {
        called()
        return new Promise<boolean>((resolve) => (release = resolve))
      })
      const app = await startServer({ mechanism: "PLAIN", domain: "app" })
      const held = await startServer({ mechanism: "CURVE", domain: "held" })
      const other = await startServer({ mechanism: "CURVE", domain: "held" })
      servers.push(app, held, other)

      expect(await attemptHandshake(app, { mechanism: "PLAIN", username: "alice", password: "wrong" })).toBe(
        "handshake:error:auth"
      )
      expect(await attemptHandshake(app, { mechanism: "PLAIN", username: "alice", password: "wrong" })).toBe(
        "handshake:error:auth"
      )
      await served.nextDecision()
      await served.nextDecision()
      const waiting = attemptHandshake(held, { mechanism: "CURVE", ...curveKeyPair() })
      await calledOnce
      expect(await attemptHandshake(other, { mechanism: "CURVE", ...curveKeyPair() })).not.toBe("handshake")
      expect((await served.nextDecision()).reply.statusCode).toBe(300)
      release(false)
      expect(await waiting).toBe("handshake:error:auth")
      await served.nextDecision()
      await served.stop()
      served = undefined

      expect(await counted(sdk, "zmq_auth.guard.blocks")).toEqual([
        { attributes: { blocked: "address+user" }, value: 1 },
      ])
      expect(await counted(sdk, "zmq_auth.failures")).toEqual([
        { attributes: { status_code: 300, cause: "saturated" }, value: 1 },
      ])
    })
  })
}
