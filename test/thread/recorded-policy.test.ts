import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { AuthenticatorError, type CertificateReloadEvent } from "@zmq-auth/core"
import { attemptHandshake } from "../helpers/sockets.js"
import { threadKit } from "./thread-kit.js"

describe("ThreadAuthenticator calls made while no worker runs", () => {
  const { create, server, defer } = threadKit()
  let directory = ""

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "zmq-auth-thread-recorded-"))
  })
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true })
  })

  it("rejects allow() made right after deny(), before deny() settled", async () => {
    const engine = create()
    const denied = engine.deny("192.0.2.1")
    const allowed = engine.allow("127.0.0.1")
    await denied
    await expect(allowed).rejects.toBeInstanceOf(AuthenticatorError)
    await expect(allowed).rejects.toMatchObject({ message: expect.stringMatching(/allow\(\) after deny\(\)/) })
    await engine.start()
    // Only the deny list is in force: 127.0.0.1 is not denied.
    const target = await server({ mechanism: "NULL", domain: "global" })
    expect(await attemptHandshake(target, { mechanism: "NULL" })).toBe("handshake")
  })

  it("rejects deny() after allow() with the engine's message", async () => {
    const engine = create()
    await engine.allow("192.0.2.1")
    await expect(engine.deny("127.0.0.1")).rejects.toMatchObject({
      code: "ERR_AUTHENTICATOR",
      message: "deny() after allow(): use an allow list or a deny list, not both",
    })
  })

  it("rejects malformed arguments with the engine's messages", async () => {
    const engine = create()
    await expect(engine.allow("not an address")).rejects.toMatchObject({
      code: "ERR_AUTHENTICATOR",
      message: expect.stringMatching(/"not an address" is not an IP address or CIDR subnet/),
    })
    await expect(engine.configurePlain("*", { admin: 7 as unknown as string })).rejects.toMatchObject({
      message: 'the password of user "admin" must be a string',
    })
    await expect(engine.configureGssapi(null as unknown as string)).rejects.toMatchObject({
      message: "a ZAP domain must be a string, got object",
    })
    await expect(engine.configureCurve("*", directory, { pollMs: 0 })).rejects.toMatchObject({
      message: expect.stringMatching(/^pollMs must be a number of milliseconds/),
    })
  })

  it("reads a certificate directory once, in the worker", async () => {
    const warnings: Error[] = []
    const onWarning = (warning: Error): void => void warnings.push(warning)
    process.on("warning", onWarning)
    defer(() => process.off("warning", onWarning))
    const empty = await mkdtemp(join(directory, "empty-"))
    const engine = create()
    const reloaded = new Promise<CertificateReloadEvent>((resolve) => engine.once("certificates:reload", resolve))
    await engine.configureCurve("empty", empty)
    await engine.start()
    // The worker read the directory: no key, reported by its engine.
    expect(await reloaded).toMatchObject({ domain: "empty", directory: empty, total: 0 })
    // The main thread did not read it: its engine would have warned here.
    await new Promise((resolve) => setImmediate(resolve))
    expect(warnings.filter((warning) => warning.message.includes(empty))).toEqual([])
  })
})
