import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { Authenticator, AuthenticatorError, ZapHandler } from "@zmq-auth/core"
import { ThreadAuthenticator } from "@zmq-auth/thread"
import { attemptHandshake, newClientKeys } from "../helpers/sockets.js"
import { spawnLines } from "./child-lines.js"
import { threadKit } from "./thread-kit.js"

const fixture = (name: string): URL => new URL(`../fixtures/thread/${name}`, import.meta.url)
const admin = { mechanism: "PLAIN", username: "admin", password: "secret" } as const

describe("ThreadAuthenticator lifecycle", () => {
  const { create, server, defer } = threadKit()

  it("starts, stops (idempotent, endpoint freed) and starts again", async () => {
    const authenticator = create()
    await authenticator.configurePlain("*", { admin: "secret" })
    const target = await server({ mechanism: "PLAIN", domain: "global" })
    await authenticator.start()
    expect(authenticator.running).toBe(true)
    expect(await attemptHandshake(target, admin)).toBe("handshake")
    await Promise.all([authenticator.stop(), authenticator.stop()])
    await authenticator.stop()
    expect(authenticator.running).toBe(false)
    expect(await attemptHandshake(target, admin)).not.toBe("handshake")
    const other = new ZapHandler(new Authenticator())
    await other.start()
    await other.stop()
    await authenticator.start()
    expect(await attemptHandshake(target, admin)).toBe("handshake")
  })

  it("waits for a stop under way before starting again", async () => {
    const authenticator = create()
    await authenticator.configurePlain("*", { admin: "secret" })
    await authenticator.start()
    const stopping = authenticator.stop()
    await authenticator.start()
    await stopping
    expect(authenticator.running).toBe(true)
    expect(await attemptHandshake(await server({ mechanism: "PLAIN", domain: "global" }), admin)).toBe("handshake")
  })

  async function expectEndpointFree(): Promise<void> {
    const other = new ZapHandler(new Authenticator())
    await other.start()
    await other.stop()
  }

  async function expectStoppedBeforeStarting(
    authenticator: ThreadAuthenticator,
    started: Promise<void>
  ): Promise<void> {
    await expect(started).rejects.toBeInstanceOf(AuthenticatorError)
    await expect(started).rejects.toMatchObject({
      code: "ERR_AUTHENTICATOR",
      message: expect.stringMatching(/stop\(\) was called before it started/),
    })
    expect(authenticator.running).toBe(false)
    expect(authenticator.threadId).toBeUndefined()
    await expectEndpointFree()
  }

  describe("stop() called while start() is pending wins", () => {
    it("while start() waits for a configuration call still being validated", async () => {
      const authenticator = create()
      const certificates = await mkdtemp(join(tmpdir(), "zmq-auth-thread-lifecycle-"))
      defer(() => rm(certificates, { recursive: true, force: true }))
      await authenticator.configurePlain("*", { admin: "secret" })
      const reading = authenticator.configureCurve("*", certificates)
      const started = authenticator.start()
      started.catch(() => undefined) // rejects before the test awaits it: not an unhandled rejection
      await authenticator.stop()
      expect(authenticator.running).toBe(false)
      await reading
      await expectStoppedBeforeStarting(authenticator, started)
      await authenticator.start()
      expect(await attemptHandshake(await server({ mechanism: "PLAIN", domain: "global" }), admin)).toBe("handshake")
    })

    it("while the worker of start() is still starting", async () => {
      const authenticator = create()
      await authenticator.configurePlain("*", { admin: "secret" })
      const started = authenticator.start()
      started.catch(() => undefined) // rejects before the test awaits it: not an unhandled rejection
      await authenticator.stop()
      await expectStoppedBeforeStarting(authenticator, started)
      await authenticator.start()
      expect(await attemptHandshake(await server({ mechanism: "PLAIN", domain: "global" }), admin)).toBe("handshake")
    })

    it("while start() waits for an earlier stop under way", async () => {
      const authenticator = create()
      await authenticator.configurePlain("*", { admin: "secret" })
      await authenticator.start()
      const firstStop = authenticator.stop()
      const started = authenticator.start()
      started.catch(() => undefined) // rejects before the test awaits it: not an unhandled rejection
      await authenticator.stop()
      await firstStop
      await expectStoppedBeforeStarting(authenticator, started)
      await authenticator.start()
      expect(await attemptHandshake(await server({ mechanism: "PLAIN", domain: "global" }), admin)).toBe("handshake")
    })
  })

  it("supports await using", async () => {
    const target = await server({ mechanism: "PLAIN", domain: "global" })
    {
      await using authenticator = new ThreadAuthenticator()
      await authenticator.configurePlain("*", { admin: "secret" })
      await authenticator.start()
      expect(await attemptHandshake(target, admin)).toBe("handshake")
    }
    expect(await attemptHandshake(target, admin)).not.toBe("handshake")
  })

  it("rejects start() twice and start() on an endpoint that has a handler with AuthenticatorError", async () => {
    const first = create()
    await first.start()
    await expect(first.start()).rejects.toMatchObject({
      code: "ERR_AUTHENTICATOR",
      message: expect.stringMatching(/already started/),
    })
    const second = create()
    const failure = second.start()
    await expect(failure).rejects.toBeInstanceOf(AuthenticatorError)
    await expect(failure).rejects.toMatchObject({
      code: "ERR_AUTHENTICATOR",
      message: expect.stringMatching(/already has a ZAP handler/),
    })
    expect(second.running).toBe(false)
    expect(first.running).toBe(true)
  })

  it("rejects start() when the module has no createAuthenticator and leaves the endpoint free", async () => {
    const authenticator = create({ module: fixture("no-factory-module.mjs") })
    await expect(authenticator.start()).rejects.toMatchObject({
      code: "ERR_AUTHENTICATOR",
      message: expect.stringMatching(/createAuthenticator/),
    })
    expect(authenticator.running).toBe(false)
    const other = create()
    await other.start()
    expect(other.running).toBe(true)
  })

  it("reports a worker crash, rejects pending calls, fails closed, recovers the whole policy on start()", async () => {
    const authenticator = create({ module: fixture("crash-module.mjs") })
    const known = newClientKeys()
    await authenticator.configurePlain("*", { admin: "secret", crash: "secret" })
    await authenticator.start()
    await authenticator.configureCurveKeys("*", [known.publicKey])
    const plain = await server({ mechanism: "PLAIN", domain: "global" })
    const curve = await server({ mechanism: "CURVE", domain: "global" })
    expect(await attemptHandshake(plain, admin)).toBe("handshake")

    const exited = new Promise<AuthenticatorError>((resolve) => authenticator.once("worker:exit", resolve))
    const pending = authenticator.configureGssapi("hang")
    pending.catch(() => undefined) // rejects when the worker exits, before the test awaits it
    await attemptHandshake(plain, { ...admin, username: "crash" })
    const error = await exited
    expect(error).toBeInstanceOf(AuthenticatorError)
    expect(error.message).toMatch(/worker crashed on purpose/)
    expect((error.cause as Error).message).toBe("worker crashed on purpose")
    await expect(pending).rejects.toMatchObject({
      code: "ERR_AUTHENTICATOR",
      message: expect.stringMatching(/exited before applying/),
    })
    expect(authenticator.running).toBe(false)

    expect(await attemptHandshake(plain, admin)).not.toBe("handshake")
    expect(await attemptHandshake(curve, { mechanism: "CURVE", ...known })).not.toBe("handshake")

    await authenticator.start()
    expect(authenticator.running).toBe(true)
    expect(await attemptHandshake(plain, admin)).toBe("handshake")
    expect(await attemptHandshake(curve, { mechanism: "CURVE", ...known })).toBe("handshake")
    expect(await attemptHandshake(curve, { mechanism: "CURVE", ...newClientKeys() })).toBe("handshake:error:auth")
  })

  it("reports malformed messages between the threads as message:error and keeps serving", async () => {
    const authenticator = create({ module: fixture("garbage-module.mjs") })
    const errors: Error[] = []
    const threeErrors = new Promise<void>((resolve) => {
      authenticator.on("message:error", (error) => {
        errors.push(error)
        if (errors.length === 3) resolve()
      })
    })
    await authenticator.configurePlain("*", { admin: "secret" })
    await authenticator.start()
    await threeErrors
    for (const error of errors) expect(error).toBeInstanceOf(AuthenticatorError)
    expect(errors.map((error) => error.message)).toEqual([
      expect.stringMatching(/invalid message between threads: decision/),
      expect.stringMatching(/invalid message between threads: message is not an object/),
      expect.stringMatching(/invalid message between threads: configure.id is not a message id/),
    ])
    expect(await attemptHandshake(await server({ mechanism: "PLAIN", domain: "global" }), admin)).toBe("handshake")
  })

  it("leaves nothing that keeps the process alive after stop()", async () => {
    const script = fileURLToPath(fixture("start-stop.mjs"))
    const child = spawnLines(process.execPath, [script])
    const report = JSON.parse(await child.nextLine(15_000)) as { outcome: string; running: boolean }
    expect(report).toEqual({ outcome: "handshake", running: false })
    expect(await child.exited(5_000)).toBe(0)
    expect(child.stderr()).toBe("")
  })

  it("lets process.exit() and an uncaught exception end the process normally without stop()", async () => {
    const script = fileURLToPath(fixture("exit-without-stop.mjs"))
    const exiting = spawnLines(process.execPath, [script])
    expect(JSON.parse(await exiting.nextLine(15_000))).toEqual({ running: true })
    expect(await exiting.exited(5_000)).toBe(0)
    expect(exiting.stderr()).toBe("")
    const throwing = spawnLines(process.execPath, [script, "throw"])
    expect(JSON.parse(await throwing.nextLine(15_000))).toEqual({ running: true })
    expect(await throwing.exited(5_000)).toBe(1)
    expect(throwing.stderr()).toContain("main thread failed on purpose")
    expect(throwing.stderr()).not.toMatch(/terminate called|Napi|Abort/)
  })
})
