import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  AuthenticatorError,
  CertificateError,
  createCertificates,
  CURVE_ALLOW_ANY,
  loadCertificate,
  type CertificateError as CertificateErrorType,
  type CertificateReloadEvent,
  type DecisionEvent,
} from "@zmq-auth/core"
import { ThreadAuthenticator } from "@zmq-auth/thread"
import { collectDecisions } from "../helpers/adapter.js"
import { attemptHandshake, newClientKeys } from "../helpers/sockets.js"
import { threadKit } from "./thread-kit.js"

describe("ThreadAuthenticator configuration", () => {
  const { create, server } = threadKit()
  let directory = ""

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "zmq-auth-thread-config-"))
  })
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true })
  })

  for (const phase of ["before start", "while running"] as const) {
    describe(phase, () => {
      async function prepared(): Promise<ThreadAuthenticator> {
        const created = create()
        if (phase === "while running") await created.start()
        return created
      }

      it("rejects allow() after deny() with AuthenticatorError ERR_AUTHENTICATOR", async () => {
        const engine = await prepared()
        await engine.deny("192.0.2.1")
        const failure = engine.allow("127.0.0.1")
        await expect(failure).rejects.toBeInstanceOf(AuthenticatorError)
        await expect(failure).rejects.toMatchObject({
          code: "ERR_AUTHENTICATOR",
          message: expect.stringMatching(/allow\(\) after deny\(\)/),
        })
      })

      it("rejects a malformed CURVE key with ERR_AUTHENTICATOR naming its position, not its value", async () => {
        const engine = await prepared()
        const failure = engine.configureCurveKeys("*", [newClientKeys().publicKey, "not-a-key"])
        await expect(failure).rejects.toBeInstanceOf(AuthenticatorError)
        await expect(failure).rejects.toMatchObject({
          code: "ERR_AUTHENTICATOR",
          message: expect.stringContaining("CURVE key #1"),
        })
        await expect(failure).rejects.not.toMatchObject({ message: expect.stringContaining("not-a-key") })
      })

      it("rejects configureCurve on a missing directory with CertificateError ERR_CERTIFICATE naming it", async () => {
        const engine = await prepared()
        const missing = join(directory, "missing")
        const failure = engine.configureCurve("*", missing)
        await expect(failure).rejects.toBeInstanceOf(CertificateError)
        await expect(failure).rejects.toMatchObject({ code: "ERR_CERTIFICATE", file: missing })
      })

      it("rejects invalid watch options with ERR_AUTHENTICATOR and keeps the policy it had", async () => {
        const engine = await prepared()
        const known = newClientKeys()
        await engine.configureCurveKeys("*", [known.publicKey])
        for (const options of [
          { debounceMs: -1 },
          { pollMs: 0 },
          { watch: "yes" },
          { watch: true, debounceMs: Number.NaN },
        ]) {
          await expect(engine.configureCurve("*", directory, options as never)).rejects.toMatchObject({
            code: "ERR_AUTHENTICATOR",
          })
        }
        await engine.stop()
        await engine.start()
        const curve = await server({ mechanism: "CURVE", domain: "global" })
        expect(await attemptHandshake(curve, { mechanism: "CURVE", ...known })).toBe("handshake")
        expect(await attemptHandshake(curve, { mechanism: "CURVE", ...newClientKeys() })).toBe("handshake:error:auth")
      })

      it("rejects a callback that is not a function and a non-string domain with ERR_AUTHENTICATOR", async () => {
        const engine = await prepared()
        await expect(engine.configureCurveCallback("*", "yes" as unknown as () => boolean)).rejects.toMatchObject({
          code: "ERR_AUTHENTICATOR",
        })
        await expect(engine.configurePlain(7 as unknown as string, { admin: "secret" })).rejects.toMatchObject({
          code: "ERR_AUTHENTICATOR",
        })
      })

      it("rejects arguments that cannot cross to the worker with ERR_AUTHENTICATOR", async () => {
        const engine = await prepared()
        const passwords = { admin: "secret", hook: () => "x" } as unknown as Record<string, string>
        await expect(engine.configurePlain("*", passwords)).rejects.toMatchObject({ code: "ERR_AUTHENTICATOR" })
      })
    })
  }

  it("applies configuration given before start() when the worker starts", async () => {
    const engine = create()
    const known = newClientKeys()
    await engine.configurePlain("*", { admin: "secret" })
    await engine.configureCurveKeys("*", [known.publicKey])
    await engine.allow("127.0.0.0/8")
    await engine.start()
    expect(
      await attemptHandshake(await server({ mechanism: "PLAIN", domain: "global" }), {
        mechanism: "PLAIN",
        username: "admin",
        password: "secret",
      })
    ).toBe("handshake")
    const curve = await server({ mechanism: "CURVE", domain: "global" })
    expect(await attemptHandshake(curve, { mechanism: "CURVE", ...known })).toBe("handshake")
    expect(await attemptHandshake(curve, { mechanism: "CURVE", ...newClientKeys() })).toBe("handshake:error:auth")
  })

  it("does not wait for start() to settle configuration promises made before it", async () => {
    const engine = create()
    await expect(engine.configurePlain("*", { admin: "secret" })).resolves.toBeUndefined()
    expect(engine.running).toBe(false)
  })

  it("reads certificate directories in the worker and forwards certificate:error for bad files", async () => {
    const engine = create()
    const certificates = await mkdtemp(join(directory, "certs-"))
    const { secretFile } = await createCertificates(certificates, "client")
    await writeFile(join(certificates, "broken.key"), 'curve\n    public-key = "short"\n')
    const certificate = await loadCertificate(secretFile)
    const reported: CertificateErrorType[] = []
    engine.on("certificate:error", (error) => reported.push(error))
    await engine.start()
    await engine.configureCurve("certs", certificates)
    expect(reported).toHaveLength(1)
    expect(reported[0]).toBeInstanceOf(CertificateError)
    expect(reported[0]!.file).toBe(join(certificates, "broken.key"))
    const target = await server({ mechanism: "CURVE", domain: "certs" })
    expect(
      await attemptHandshake(target, {
        mechanism: "CURVE",
        publicKey: certificate.publicKey,
        secretKey: certificate.secretKey!,
      })
    ).toBe("handshake")
  })

  it("watches a certificate directory in the worker and forwards certificates:reload", async () => {
    const engine = create()
    const certificates = await mkdtemp(join(directory, "watched-"))
    await engine.configureCurve("watched", certificates, { watch: true, debounceMs: 20 })
    await engine.start()
    const target = await server({ mechanism: "CURVE", domain: "watched" })
    const reloaded = new Promise<CertificateReloadEvent>((resolve) => engine.once("certificates:reload", resolve))
    const { secretFile } = await createCertificates(certificates, "late-client")
    const event = await reloaded
    expect(event).toMatchObject({ domain: "watched", directory: certificates, total: 1 })
    expect(event.errors).toEqual([])
    const certificate = await loadCertificate(secretFile)
    expect(
      await attemptHandshake(target, {
        mechanism: "CURVE",
        publicKey: certificate.publicKey,
        secretKey: certificate.secretKey!,
      })
    ).toBe("handshake")
  })

  it("forwards decisions with Buffers, redacted passwords and the engine's shape", async () => {
    const engine = create()
    const { nextDecision } = collectDecisions(engine)
    await engine.configurePlain("*", { admin: "secret" })
    await engine.configureCurve("*", CURVE_ALLOW_ANY)
    await engine.start()
    await attemptHandshake(await server({ mechanism: "PLAIN", domain: "global" }), {
      mechanism: "PLAIN",
      username: "admin",
      password: "secret",
    })
    const decision = await nextDecision()
    expect(Buffer.isBuffer(decision.request.requestId)).toBe(true)
    expect(Buffer.isBuffer(decision.reply.requestId)).toBe(true)
    expect(decision.request.credentials.map((credential) => Buffer.isBuffer(credential))).toEqual([true, true])
    expect(decision.request.credentials.map(String)).toEqual(["admin", "[redacted]"])
    expect(decision.request).toMatchObject({
      version: "1.0",
      domain: "global",
      address: "127.0.0.1",
      mechanism: "PLAIN",
    })
    expect(decision.reply).toMatchObject({ statusCode: 200, statusText: "OK", userId: "admin" })
    expect(decision.reply.requestId.equals(decision.request.requestId)).toBe(true)
    expect(decision.elapsedMs).toBeGreaterThan(0)
    expect(JSON.stringify(decision)).not.toContain("secret")
  })

  it("forwards decisions only while the main thread listens, from the first handshake after on()", async () => {
    const engine = create()
    await engine.configurePlain("*", { early: "one", late: "two", last: "three" })
    await engine.start()
    const target = await server({ mechanism: "PLAIN", domain: "global" })
    expect(await attemptHandshake(target, { mechanism: "PLAIN", username: "early", password: "one" })).toBe("handshake")
    const once = new Promise<DecisionEvent>((resolve) => engine.once("decision", resolve))
    expect(await attemptHandshake(target, { mechanism: "PLAIN", username: "late", password: "two" })).toBe("handshake")
    expect((await once).reply.userId).toBe("late")
    expect(engine.listenerCount("decision")).toBe(0)
    const seen: string[] = []
    const listener = (event: DecisionEvent): void => {
      seen.push(event.reply.userId)
    }
    engine.on("decision", listener).off("decision", listener)
    engine.addListener("decision", listener)
    engine.removeAllListeners()
    const last = new Promise<DecisionEvent>((resolve) => engine.on("decision", resolve))
    expect(await attemptHandshake(target, { mechanism: "PLAIN", username: "last", password: "three" })).toBe(
      "handshake"
    )
    expect((await last).reply.userId).toBe("last")
    expect(seen).toEqual([])
  })

  it("validates constructor options with TypeError naming the option", () => {
    expect(() => new ThreadAuthenticator({ callbackTimeoutMs: -1 })).toThrow(/callbackTimeoutMs/)
    expect(() => new ThreadAuthenticator({ concurrency: 0 })).toThrow(/concurrency/)
    expect(() => new ThreadAuthenticator({ endpoint: "" })).toThrow(/endpoint/)
    expect(() => new ThreadAuthenticator({ curveUserId: "x" as unknown as () => string })).toThrow(/curveUserId/)
    expect(() => new ThreadAuthenticator({ context: {} as never })).toThrow(TypeError)
  })
})
