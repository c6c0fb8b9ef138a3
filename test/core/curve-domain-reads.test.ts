import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import {
  Authenticator,
  AuthenticatorError,
  createCertificates,
  loadCertificate,
  type CertificateReloadEvent,
} from "@zmq-auth/core"
import { useMetricsRecorder, type MetricsRecorder } from "@zmq-auth/core/internal"
import { newClientKeys } from "../helpers/sockets.js"
import { curveRequest } from "../helpers/zap-request.js"
import { reloadWhere } from "../helpers/reload-where.js"

async function statusFor(engine: Authenticator, publicKey: string): Promise<number> {
  return (await engine.authenticate(curveRequest(publicKey))).statusCode
}

/** Records the certificate-load counts the engine reports, as `outcome` per event. */
class LoadOutcomes implements MetricsRecorder {
  readonly enabled = true
  readonly outcomes: unknown[] = []
  add(name: string, _value: number, attributes?: Record<string, unknown>): void {
    if (name === "zmq_auth.certificates.reloads") this.outcomes.push(attributes?.outcome)
  }
  record(): void {}
  set(): void {}
}

describe("configureCurve reading a directory", () => {
  let dir = ""
  let publicKey = ""
  let engine: Authenticator

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "zmq-auth-reads-"))
    const { secretFile } = await createCertificates(dir, "client")
    publicKey = (await loadCertificate(secretFile)).publicKey
    await rm(secretFile)
    engine = new Authenticator()
  })
  afterEach(async () => {
    engine.close()
    await rm(dir, { recursive: true, force: true })
  })

  it("discards a read overtaken by a newer configuration of the domain", async () => {
    const other = newClientKeys().publicKey
    const reading = engine.configureCurve("d", dir)
    engine.configureCurveKeys("d", [other])
    await reading
    expect(await statusFor(engine, publicKey)).toBe(400)
    expect(await statusFor(engine, other)).toBe(200)
  })

  it("applies a read without watch that close() overtook", async () => {
    const reading = engine.configureCurve("d", dir)
    engine.close()
    await reading
    expect(await statusFor(engine, publicKey)).toBe(200)
  })

  it("rejects a read with watch that close() overtook, naming the directory, and keeps the old policy", async () => {
    const reading = engine.configureCurve("d", dir, { watch: true })
    engine.close()
    await expect(reading).rejects.toThrow(
      new AuthenticatorError(`cannot watch ${dir}: the Authenticator was closed while it was read`)
    )
    expect(await statusFor(engine, publicKey)).toBe(400)
  })

  it("emits no reload event for a directory that gave keys", async () => {
    const events: CertificateReloadEvent[] = []
    engine.on("certificates:reload", (event) => events.push(event))
    await engine.configureCurve("d", dir)
    expect(events).toEqual([])
    expect(await statusFor(engine, publicKey)).toBe(200)
  })

  it("counts a watched directory's reloads as ok, and as failed when it is gone", async () => {
    const recorder = new LoadOutcomes()
    const previous = useMetricsRecorder(recorder)
    try {
      await engine.configureCurve("d", dir, { watch: true, debounceMs: 0, pollMs: 20 })
      const reloaded = reloadWhere(engine, (event) => event.total === 2)
      await createCertificates(dir, "second")
      await reloaded
      expect(recorder.outcomes.length).toBeGreaterThanOrEqual(2)
      expect(new Set(recorder.outcomes)).toEqual(new Set(["ok"]))
      const failed = reloadWhere(engine, (event) => event.failure !== undefined)
      await rm(dir, { recursive: true })
      await failed
      expect(recorder.outcomes.at(-1)).toBe("failed")
    } finally {
      useMetricsRecorder(previous)
    }
  })
})
