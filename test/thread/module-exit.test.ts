import { describe, expect, it } from "vitest"
import { Authenticator, AuthenticatorError, CURVE_ALLOW_ANY, ZapHandler } from "@zmq-auth/core"
import type { ThreadAuthenticator } from "@zmq-auth/thread"
import { attemptHandshake, newClientKeys } from "../helpers/sockets.js"
import { threadKit } from "./thread-kit.js"

// A custom module that calls process.exit() must not end the worker with its ZAP socket open:
// zeromq would then abort this whole process (SIGABRT). Reaching the assertions after the exit
// is the proof that it survives.
const exitModule = (query = ""): URL => new URL(`../fixtures/thread/exit-module.mjs${query}`, import.meta.url)
const admin = { mechanism: "PLAIN", username: "admin", password: "secret" } as const

describe("ThreadAuthenticator with a module that calls process.exit()", () => {
  const kit = threadKit()
  const create = (module: URL): ThreadAuthenticator => kit.create({ module })
  const server = kit.server

  const workerExit = (authenticator: ThreadAuthenticator): Promise<AuthenticatorError> =>
    new Promise((resolve) => authenticator.once("worker:exit", resolve))

  it("while deciding: denies that handshake, reports worker:exit, fails closed, and start() recovers", async () => {
    const authenticator = create(exitModule())
    await authenticator.configureCurve("*", CURVE_ALLOW_ANY)
    await authenticator.start()
    const curve = await server({ mechanism: "CURVE", domain: "global" })
    const exiting = await server({ mechanism: "CURVE", domain: "exit" })
    expect(await attemptHandshake(curve, { mechanism: "CURVE", ...newClientKeys() })).toBe("handshake")

    const exited = workerExit(authenticator)
    expect(await attemptHandshake(exiting, { mechanism: "CURVE", ...newClientKeys() })).not.toBe("handshake")
    const error = await exited
    expect(error).toBeInstanceOf(AuthenticatorError)
    expect(error.message).toMatch(/exit code 3\b/)
    expect((error.cause as Error).message).toMatch(/process\.exit\(3\) was called in the worker thread/)
    expect(authenticator.running).toBe(false)
    expect(await attemptHandshake(curve, { mechanism: "CURVE", ...newClientKeys() })).not.toBe("handshake")

    await authenticator.start()
    expect(authenticator.running).toBe(true)
    expect(await attemptHandshake(curve, { mechanism: "CURVE", ...newClientKeys() })).toBe("handshake")
  })

  it("in a configuration call: rejects it, reports worker:exit, fails closed; start() recovers policy", async () => {
    const authenticator = create(exitModule())
    await authenticator.configurePlain("*", { admin: "secret" })
    await authenticator.start()
    const plain = await server({ mechanism: "PLAIN", domain: "global" })
    expect(await attemptHandshake(plain, admin)).toBe("handshake")

    const exited = workerExit(authenticator)
    const failed = authenticator.configureGssapi("exit")
    await expect(failed).rejects.toBeInstanceOf(AuthenticatorError)
    await expect(failed).rejects.toMatchObject({ message: expect.stringMatching(/process\.exit\(5\)/) })
    expect((await exited).message).toMatch(/exit code 5\b/)
    expect(authenticator.running).toBe(false)
    expect(await attemptHandshake(plain, admin)).not.toBe("handshake")

    await authenticator.start()
    expect(await attemptHandshake(plain, admin)).toBe("handshake")
  })

  it("while the module loads: start() rejects with why, and the endpoint is free", async () => {
    const authenticator = create(exitModule("?exit=load"))
    const started = authenticator.start()
    await expect(started).rejects.toBeInstanceOf(AuthenticatorError)
    await expect(started).rejects.toMatchObject({
      message: expect.stringMatching(/exit code 4\b.*process\.exit\(4\) was called in the worker thread/),
    })
    expect(authenticator.running).toBe(false)
    const other = new ZapHandler(new Authenticator())
    await other.start()
    await other.stop()
  })
})
