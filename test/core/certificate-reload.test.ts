import { copyFile, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { Authenticator, createCertificates, loadCertificate, ZapHandler, type CertificateReloadEvent } from "@zmq-auth/core"
import { attemptHandshake, startServer, type ClientSpec, type TestServer } from "../helpers/sockets.js"

function nextReload(engine: Authenticator): Promise<CertificateReloadEvent> {
  return new Promise((resolve) => engine.once("certificates:reload", resolve))
}

async function clientFrom(dir: string, name: string): Promise<{ spec: ClientSpec; publicFile: string }> {
  const { publicFile, secretFile } = await createCertificates(dir, name)
  const certificate = await loadCertificate(secretFile)
  await rm(secretFile)
  return { spec: { mechanism: "CURVE", publicKey: certificate.publicKey, secretKey: certificate.secretKey! }, publicFile }
}

describe("live certificate reload (configureCurve with watch)", () => {
  let dir = ""
  let spare = ""
  let engine: Authenticator
  let handler: ZapHandler
  let server: TestServer

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "zmq-auth-watch-"))
    spare = await mkdtemp(join(tmpdir(), "zmq-auth-spare-"))
    engine = new Authenticator()
    handler = new ZapHandler(engine)
    await handler.start()
    server = await startServer({ mechanism: "CURVE", domain: "global" })
  })
  afterEach(async () => {
    engine.close()
    server.close()
    await handler.stop()
    await rm(dir, { recursive: true, force: true })
    await rm(spare, { recursive: true, force: true })
  })

  it("allows a client once its file is added and denies it once the file is deleted", async () => {
    await engine.configureCurve("*", dir, { watch: true, debounceMs: 20 })
    const client = await clientFrom(spare, "late")
    expect(await attemptHandshake(server, client.spec)).toBe("handshake:error:auth")

    const added = nextReload(engine)
    await copyFile(client.publicFile, join(dir, "late.key"))
    expect(await added).toMatchObject({ added: 1, removed: 0, total: 1, errors: [] })
    expect(await attemptHandshake(server, client.spec)).toBe("handshake")

    const removed = nextReload(engine)
    await rm(join(dir, "late.key"))
    expect(await removed).toMatchObject({ added: 0, removed: 1, total: 0 })
    expect(await attemptHandshake(server, client.spec)).toBe("handshake:error:auth")
  })

  it("reports bad files by name and keeps the good keys", async () => {
    const good = await clientFrom(dir, "good")
    await engine.configureCurve("*", dir, { watch: true, debounceMs: 20 })
    const reloaded = nextReload(engine)
    await writeFile(join(dir, "broken.key"), "curve\n    public-key = \"short\"\n")
    const event = await reloaded
    expect(event).toMatchObject({ added: 0, removed: 0, total: 1 })
    expect(event.errors.map((error) => error.file)).toEqual([join(dir, "broken.key")])
    expect(await attemptHandshake(server, good.spec)).toBe("handshake")
  })

  it("revokes the key of a file that turns bad (fails closed)", async () => {
    const good = await clientFrom(dir, "good")
    await engine.configureCurve("*", dir, { watch: true, debounceMs: 20 })
    const broken = nextReload(engine)
    await writeFile(good.publicFile, "truncated")
    expect(await broken).toMatchObject({ removed: 1, total: 0 })
    expect(await attemptHandshake(server, good.spec)).toBe("handshake:error:auth")
  })

  it("stops watching when the domain is reconfigured", async () => {
    await engine.configureCurve("*", dir, { watch: true, debounceMs: 20 })
    await engine.configureCurve("witness", dir, { watch: true, debounceMs: 20 })
    engine.configureCurveKeys("*", [])
    const reloadedDomains: string[] = []
    engine.on("certificates:reload", (event) => reloadedDomains.push(event.domain))
    const witnessed = new Promise<void>((resolve) => engine.on("certificates:reload", (event) => { if (event.domain === "witness") resolve() }))
    const client = await clientFrom(dir, "ignored")
    await witnessed
    expect(reloadedDomains.filter((domain) => domain !== "witness")).toEqual([])
    expect(await attemptHandshake(server, client.spec)).toBe("handshake:error:auth")
  })
})
