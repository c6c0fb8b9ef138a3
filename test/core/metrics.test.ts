import { readFile } from "node:fs/promises"
import { afterEach, describe, expect, it, vi } from "vitest"
import { BatchRecorder, isMetricsBatch, replayMetricsBatch } from "../../packages/core/src/metrics/metrics-batch.js"
import { domainAttribute, MAX_DOMAIN_VALUES, recordDecision } from "../../packages/core/src/metrics/decision-metrics.js"
import { DURATION_BUCKETS_SECONDS, INSTRUMENTS } from "../../packages/core/src/metrics/instruments.js"
import { OpenTelemetryRecorder } from "../../packages/core/src/metrics/open-telemetry-recorder.js"
import { PACKAGE_VERSION } from "../../packages/core/src/version.js"
import { TestMetricsSdk } from "../helpers/metrics-sdk.js"

let sdk: TestMetricsSdk | undefined
afterEach(async () => {
  await sdk?.close()
  sdk = undefined
})

describe("OpenTelemetry recorder", () => {
  it("records into an SDK registered after the recorder was created and used", async () => {
    const recorder = new OpenTelemetryRecorder("@zmq-auth/core", PACKAGE_VERSION)
    recorder.add("zmq_auth.decisions", 1, { mechanism: "NULL", status_code: 200, domain: "a" })
    sdk = new TestMetricsSdk()
    recorder.add("zmq_auth.decisions", 2, { mechanism: "NULL", status_code: 200, domain: "a" })
    const points = await sdk.points("zmq_auth.decisions")
    expect(points).toEqual([
      {
        scope: `@zmq-auth/core@${PACKAGE_VERSION}`,
        unit: "{decision}",
        attributes: { mechanism: "NULL", status_code: 200, domain: "a" },
        value: 2,
      },
    ])
  })

  it("gives histograms the 10 µs to 5 s buckets, in seconds", async () => {
    sdk = new TestMetricsSdk()
    const recorder = new OpenTelemetryRecorder("@zmq-auth/core", PACKAGE_VERSION)
    recorder.record("zmq_auth.decision.duration", 0.00002, { mechanism: "CURVE", status_code: 200, domain: "" })
    recorder.record("zmq_auth.decision.duration", 3, { mechanism: "CURVE", status_code: 200, domain: "" })
    const [point] = await sdk.points("zmq_auth.decision.duration")
    expect(point?.unit).toBe("s")
    expect(point?.value).toMatchObject({ count: 2, sum: 3.00002, boundaries: [...DURATION_BUCKETS_SECONDS] })
    const counts = (point?.value as { counts: number[] }).counts
    expect(counts[1]).toBe(1)
    expect(counts[DURATION_BUCKETS_SECONDS.indexOf(5)]).toBe(1)
  })

  it("names the meter after the package with the version of its package.json", async () => {
    const manifest = JSON.parse(
      await readFile(new URL("../../packages/core/package.json", import.meta.url), "utf8")
    ) as { version: string }
    expect(PACKAGE_VERSION).toBe(manifest.version)
  })
})

describe("metrics batches (worker thread to main thread)", () => {
  it("replays into the same data points as recording directly", async () => {
    sdk = new TestMetricsSdk()
    const batch = new BatchRecorder()
    recordDecision(batch, { mechanism: "PLAIN", statusCode: 400, domain: "d", seconds: 0.001 })
    recordDecision(batch, { mechanism: "PLAIN", statusCode: 400, domain: "d", seconds: 0.002 })
    recordDecision(batch, {
      mechanism: "CURVE",
      statusCode: 500,
      domain: "d",
      seconds: 0.5,
      cause: "timeout",
      timedOut: "callback",
    })
    batch.set("zmq_auth.certificates.keys", 7, { domain: "d" })
    batch.set("zmq_auth.certificates.keys", 9, { domain: "d" })
    const drained = batch.drain()
    expect(batch.empty).toBe(true)
    expect(isMetricsBatch(structuredClone(drained))).toBe(true)
    replayMetricsBatch(structuredClone(drained), new OpenTelemetryRecorder("@zmq-auth/core", PACKAGE_VERSION))
    expect(await sdk.sum("zmq_auth.decisions", { mechanism: "PLAIN", status_code: 400, domain: "d" })).toBe(2)
    expect(await sdk.sum("zmq_auth.decision.duration", { mechanism: "PLAIN", status_code: 400, domain: "d" })).toBe(2)
    expect(await sdk.sum("zmq_auth.failures", { status_code: 500, cause: "timeout" })).toBe(1)
    expect(await sdk.sum("zmq_auth.check.timeouts", { check: "callback" })).toBe(1)
    expect(await sdk.sum("zmq_auth.certificates.keys", { domain: "d" })).toBe(9)
  })

  it("measures nothing while its replaying thread wants nothing, and measures again once it does", () => {
    let wanted = false
    const batch = new BatchRecorder(() => wanted)
    expect(batch.enabled).toBe(false)
    recordDecision(batch, { mechanism: "NULL", statusCode: 200, domain: "d", seconds: 0.001 })
    batch.set("zmq_auth.certificates.keys", 7, { domain: "d" })
    expect(batch.empty).toBe(true)
    wanted = true
    expect(batch.enabled).toBe(true)
    batch.add("zmq_auth.decisions", 1, { mechanism: "NULL", status_code: 200, domain: "d" })
    batch.record("zmq_auth.decision.duration", 0.5, {})
    batch.set("zmq_auth.certificates.keys", 9, { domain: "d" })
    expect(batch.drain()).toEqual({
      sums: [["zmq_auth.decisions", { mechanism: "NULL", status_code: 200, domain: "d" }, 1]],
      values: [["zmq_auth.decision.duration", {}, [0.5]]],
      gauges: [["zmq_auth.certificates.keys", { domain: "d" }, 9]],
    })
  })

  it("rejects malformed batches: unknown instruments, non-finite values, nested attributes", () => {
    const good = { sums: [["zmq_auth.decisions", { a: "b" }, 1]], values: [], gauges: [] }
    expect(isMetricsBatch(good)).toBe(true)
    expect(isMetricsBatch({ ...good, sums: [["other.metric", {}, 1]] })).toBe(false)
    expect(isMetricsBatch({ ...good, sums: [["zmq_auth.decisions", {}, Number.NaN]] })).toBe(false)
    expect(isMetricsBatch({ ...good, sums: [["zmq_auth.decisions", { a: { b: 1 } }, 1]] })).toBe(false)
    expect(isMetricsBatch({ ...good, values: [["zmq_auth.decision.duration", {}, [1, "2"]]] })).toBe(false)
    expect(isMetricsBatch({ sums: [], values: [] })).toBe(false)
    expect(isMetricsBatch(null)).toBe(false)
  })
})

describe("attributes", () => {
  it("caps the distinct domain values and counts the rest as _other", async () => {
    // A fresh copy of the module: the cap is per process, and the other tests here need theirs free.
    vi.resetModules()
    const fresh = await import("../../packages/core/src/metrics/decision-metrics.js")
    for (let index = 0; index < MAX_DOMAIN_VALUES * 2; index++) fresh.domainAttribute(`cap-${index}`)
    expect(fresh.domainAttribute("cap-0")).toBe("cap-0")
    expect(fresh.domainAttribute(`cap-${MAX_DOMAIN_VALUES * 2 - 1}`)).toBe("_other")
    expect(domainAttribute(`cap-${MAX_DOMAIN_VALUES * 2 - 1}`)).toBe(`cap-${MAX_DOMAIN_VALUES * 2 - 1}`)
  })

  it("names every instrument under zmq_auth. with a unit", () => {
    for (const [name, definition] of Object.entries(INSTRUMENTS)) {
      expect(name).toMatch(/^zmq_auth\.[a-z_.]+$/)
      expect(definition.unit).not.toBe("")
    }
  })
})
