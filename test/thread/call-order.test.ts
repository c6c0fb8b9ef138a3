import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createCertificates, CURVE_ALLOW_ANY, loadCertificate, z85 } from "@zmq-auth/core"
import type { ThreadAuthenticator } from "@zmq-auth/thread"
import { attemptHandshake, newClientKeys, type TestServer } from "../helpers/sockets.js"
import { threadKit } from "./thread-kit.js"

interface KeyPair {
  publicKey: string
  secretKey: string
}

// The core rule: a later configuration of a domain replaces an earlier one, even one still
// reading its certificate directory; and what a call configures is fixed when it is made.
describe("ThreadAuthenticator call order and argument copies", () => {
  const { create, server } = threadKit()
  let directory = ""

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "zmq-auth-thread-order-"))
  })
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true })
  })

  /** A certificate directory holding one client certificate, and that client's keys. */
  async function certificateDirectory(): Promise<{ location: string; client: KeyPair }> {
    const location = await mkdtemp(join(directory, "certs-"))
    const certificate = await loadCertificate((await createCertificates(location, "client")).secretFile)
    return { location, client: { publicKey: certificate.publicKey, secretKey: certificate.secretKey! } }
  }

  async function curveOutcomes(target: TestServer, clients: KeyPair[]): Promise<string[]> {
    const outcomes: string[] = []
    for (const client of clients) outcomes.push(await attemptHandshake(target, { mechanism: "CURVE", ...client }))
    return outcomes
  }

  /** Stops and starts again: the worker then runs on what the main thread recorded. */
  async function restart(engine: ThreadAuthenticator): Promise<void> {
    await engine.stop()
    await engine.start()
  }

  for (const phase of ["before start", "while running"] as const) {
    describe(phase, () => {
      async function prepared(): Promise<ThreadAuthenticator> {
        const authenticator = create()
        if (phase === "while running") await authenticator.start()
        return authenticator
      }

      it("lets configureCurveKeys win over an earlier configureCurve still reading, also after a restart", async () => {
        const engine = await prepared()
        const { location, client: fromDirectory } = await certificateDirectory()
        const listed = newClientKeys()
        const reading = engine.configureCurve("*", location)
        const keys = engine.configureCurveKeys("*", [listed.publicKey])
        await Promise.all([reading, keys])
        if (phase === "before start") await engine.start()
        const target = await server({ mechanism: "CURVE", domain: "global" })
        expect(await curveOutcomes(target, [fromDirectory, listed])).toEqual(["handshake:error:auth", "handshake"])
        await restart(engine)
        expect(await curveOutcomes(target, [fromDirectory, listed])).toEqual(["handshake:error:auth", "handshake"])
      })

      it("lets a later configureCurve directory win over earlier keys, also after a restart", async () => {
        const engine = await prepared()
        const { location, client: fromDirectory } = await certificateDirectory()
        const listed = newClientKeys()
        const keys = engine.configureCurveKeys("*", [listed.publicKey])
        const reading = engine.configureCurve("*", location)
        await Promise.all([keys, reading])
        if (phase === "before start") await engine.start()
        const target = await server({ mechanism: "CURVE", domain: "global" })
        expect(await curveOutcomes(target, [fromDirectory, listed])).toEqual(["handshake", "handshake:error:auth"])
        await restart(engine)
        expect(await curveOutcomes(target, [fromDirectory, listed])).toEqual(["handshake", "handshake:error:auth"])
      })

      it("lets the later of two directories win when the earlier one is still being read", async () => {
        const engine = await prepared()
        const first = await certificateDirectory()
        const second = await certificateDirectory()
        await Promise.all([engine.configureCurve("*", first.location), engine.configureCurve("*", second.location)])
        if (phase === "before start") await engine.start()
        const target = await server({ mechanism: "CURVE", domain: "global" })
        expect(await curveOutcomes(target, [first.client, second.client])).toEqual([
          "handshake:error:auth",
          "handshake",
        ])
        await restart(engine)
        expect(await curveOutcomes(target, [first.client, second.client])).toEqual([
          "handshake:error:auth",
          "handshake",
        ])
      })

      it("copies PLAIN passwords when called: changing the caller's Map or object later changes nothing", async () => {
        const engine = await prepared()
        const users = new Map([["admin", "secret"]])
        const others = { guest: "welcome" } as Record<string, string>
        await engine.configurePlain("*", users)
        await engine.configurePlain("other", others)
        users.set("mallory", "x")
        users.set("admin", "changed")
        others.mallory = "x"
        await restart(engine)
        const plain = await server({ mechanism: "PLAIN", domain: "global" })
        expect(await attemptHandshake(plain, { mechanism: "PLAIN", username: "mallory", password: "x" })).toBe(
          "handshake:error:auth"
        )
        expect(await attemptHandshake(plain, { mechanism: "PLAIN", username: "admin", password: "changed" })).toBe(
          "handshake:error:auth"
        )
        expect(await attemptHandshake(plain, { mechanism: "PLAIN", username: "admin", password: "secret" })).toBe(
          "handshake"
        )
        const other = await server({ mechanism: "PLAIN", domain: "other" })
        expect(await attemptHandshake(other, { mechanism: "PLAIN", username: "mallory", password: "x" })).toBe(
          "handshake:error:auth"
        )
        expect(await attemptHandshake(other, { mechanism: "PLAIN", username: "guest", password: "welcome" })).toBe(
          "handshake"
        )
      })

      it("copies CURVE key bytes when called: overwriting the caller's Buffer afterwards changes nothing", async () => {
        const engine = await prepared()
        const listed = newClientKeys()
        const intruder = newClientKeys()
        const key = z85.decode(listed.publicKey)
        await engine.configureCurveKeys("*", [key])
        z85.decode(intruder.publicKey).copy(key)
        await restart(engine)
        const target = await server({ mechanism: "CURVE", domain: "global" })
        expect(await curveOutcomes(target, [intruder, listed])).toEqual(["handshake:error:auth", "handshake"])
      })
    })
  }

  it("keeps calls made while a stop() is under way for the next start(), the later call winning", async () => {
    const engine = create()
    const { location, client: fromDirectory } = await certificateDirectory()
    const listed = newClientKeys()
    await engine.configurePlain("*", { admin: "secret" })
    await engine.start()
    const stopping = engine.stop()
    const calls = [
      engine.configurePlain("*", { bob: "builder" }),
      engine.configureCurve("*", location),
      engine.configureCurveKeys("*", [listed.publicKey]),
    ]
    const started = engine.start()
    await Promise.all([stopping, ...calls, started])
    const plain = await server({ mechanism: "PLAIN", domain: "global" })
    expect(await attemptHandshake(plain, { mechanism: "PLAIN", username: "admin", password: "secret" })).toBe(
      "handshake:error:auth"
    )
    expect(await attemptHandshake(plain, { mechanism: "PLAIN", username: "bob", password: "builder" })).toBe(
      "handshake"
    )
    const target = await server({ mechanism: "CURVE", domain: "global" })
    expect(await curveOutcomes(target, [fromDirectory, listed])).toEqual(["handshake:error:auth", "handshake"])
  })

  it("applies calls made during start() before the worker binds: the first handshake sees them", async () => {
    const engine = create()
    const { location } = await certificateDirectory()
    for (let index = 0; index < 200; index++) await createCertificates(location, `filler-${index}`)
    await engine.configureCurve("*", CURVE_ALLOW_ANY)
    const started = engine.start()
    const narrowed = engine.configureCurve("*", location)
    await started
    const target = await server({ mechanism: "CURVE", domain: "global" })
    expect(await curveOutcomes(target, [newClientKeys()])).toEqual(["handshake:error:auth"])
    await narrowed
  })
})
