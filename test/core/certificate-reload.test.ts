import { copyFile, link, mkdir, mkdtemp, readFile, rename, rm, symlink, utimes, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import {
  Authenticator,
  AuthenticatorError,
  createCertificates,
  loadCertificate,
  ZapHandler,
  type CertificateReloadEvent,
} from "@zmq-auth/core"
import { guard } from "../helpers/pyzmq-scenarios.js"
import { reloadWhere } from "../helpers/reload-where.js"
import { attemptHandshake, startServer, type ClientSpec, type TestServer } from "../helpers/sockets.js"

function nextReload(engine: Authenticator): Promise<CertificateReloadEvent> {
  return new Promise((resolve) => engine.once("certificates:reload", resolve))
}

async function clientFrom(dir: string, name: string): Promise<{ spec: ClientSpec; publicFile: string }> {
  const { publicFile, secretFile } = await createCertificates(dir, name)
  const certificate = await loadCertificate(secretFile)
  await rm(secretFile)
  return {
    spec: { mechanism: "CURVE", publicKey: certificate.publicKey, secretKey: certificate.secretKey! },
    publicFile,
  }
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
    await writeFile(join(dir, "broken.key"), 'curve\n    public-key = "short"\n')
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

  it("watches the directory that replaces the watched one (renamed into place)", async () => {
    const old = await clientFrom(dir, "old")
    await engine.configureCurve("*", dir, { watch: true, debounceMs: 20, pollMs: 50 })
    const replacement = `${dir}.new`
    await mkdir(replacement)
    const fresh = await clientFrom(replacement, "fresh")
    const swapped = reloadWhere(engine, (event) => event.total === 1 && event.removed === 1)
    await rename(dir, `${dir}.old`)
    await rename(replacement, dir)
    try {
      await swapped
      expect(await attemptHandshake(server, fresh.spec)).toBe("handshake")
      expect(await attemptHandshake(server, old.spec)).toBe("handshake:error:auth")
      // The watch follows the swapped-in directory: this deletion is seen.
      const revoked = reloadWhere(engine, (event) => event.total === 0)
      await rm(join(dir, "fresh.key"))
      await revoked
      expect(await attemptHandshake(server, fresh.spec)).toBe("handshake:error:auth")
    } finally {
      await rm(`${dir}.old`, { recursive: true, force: true })
    }
  })

  it("watches a directory removed and created again (even with the same inode number)", async () => {
    await engine.configureCurve("*", dir, { watch: true, debounceMs: 20, pollMs: 50 })
    await rm(dir, { recursive: true })
    await mkdir(dir)
    const fresh = await clientFrom(dir, "fresh")
    await reloadWhere(engine, (event) => event.total === 1)
    expect(await attemptHandshake(server, fresh.spec)).toBe("handshake")
    // A directory that gets its old inode number back is watched again.
    const revoked = reloadWhere(engine, (event) => event.total === 0)
    await rm(join(dir, "fresh.key"))
    await revoked
    expect(await attemptHandshake(server, fresh.spec)).toBe("handshake:error:auth")
  })

  it("revokes a client whose file is renamed to a hidden name (mv a.key .a.key)", async () => {
    const client = await clientFrom(dir, "client")
    await engine.configureCurve("*", dir, { watch: true, debounceMs: 20 })
    expect(await attemptHandshake(server, client.spec)).toBe("handshake")
    const hidden = reloadWhere(engine, (event) => event.removed === 1)
    await rename(client.publicFile, join(dir, ".client.key"))
    expect(await guard(hidden, 10_000, "no reload after the rename")).toMatchObject({ total: 0, errors: [] })
    expect(await attemptHandshake(server, client.spec)).toBe("handshake:error:auth")
  })

  it("follows symbolic links: a target replaced outside is applied, a target deleted revokes its key", async () => {
    const linked = await clientFrom(spare, "linked")
    await symlink(linked.publicFile, join(dir, "linked.key"))
    await engine.configureCurve("*", dir, { watch: true, debounceMs: 20, pollMs: 50 })
    expect(await attemptHandshake(server, linked.spec)).toBe("handshake")

    const successor = await clientFrom(spare, "successor")
    await copyFile(successor.publicFile, join(spare, "successor.copy"))
    const replaced = reloadWhere(engine, (event) => event.added === 1 && event.removed === 1)
    await rename(successor.publicFile, linked.publicFile)
    expect(await guard(replaced, 10_000, "no reload after the link's target was replaced")).toMatchObject({
      total: 1,
      errors: [],
    })
    expect(await attemptHandshake(server, linked.spec)).toBe("handshake:error:auth")
    expect(await attemptHandshake(server, successor.spec)).toBe("handshake")

    const deleted = reloadWhere(engine, (event) => event.removed === 1)
    await rm(linked.publicFile)
    const event = await guard(deleted, 10_000, "no reload after the link's target was deleted")
    expect(event).toMatchObject({ total: 0 })
    expect(event.errors.map((error) => error.file)).toEqual([join(dir, "linked.key")])
    expect(await attemptHandshake(server, successor.spec)).toBe("handshake:error:auth")

    const restored = reloadWhere(engine, (event) => event.added === 1)
    await copyFile(join(spare, "successor.copy"), linked.publicFile)
    await guard(restored, 10_000, "no reload after the link's target came back")
    expect(await attemptHandshake(server, successor.spec)).toBe("handshake")
  })

  it("reads again only the files that change notifications name", async () => {
    // a.key is also reachable through a hard link outside the directory: a write through that
    // link changes a.key without any notification for the watched directory.
    const first = await clientFrom(spare, "first")
    await link(first.publicFile, join(dir, "a.key"))
    const other = await clientFrom(dir, "b")
    for (let index = 0; index < 200; index++) await clientFrom(dir, `filler-${index}`)
    await engine.configureCurve("*", dir, { watch: true, debounceMs: 20 })
    const unnamed = await clientFrom(spare, "unnamed")
    await writeFile(first.publicFile, await readFile(unnamed.publicFile))

    const named = await clientFrom(spare, "named")
    const reloaded = reloadWhere(engine, (event) => event.added === 1)
    await rename(named.publicFile, other.publicFile)
    expect(await guard(reloaded, 10_000, "no reload after b.key changed")).toMatchObject({
      added: 1,
      removed: 1,
      total: 202,
    })
    expect(await attemptHandshake(server, named.spec)).toBe("handshake")
    expect(await attemptHandshake(server, first.spec)).toBe("handshake")
    expect(await attemptHandshake(server, unnamed.spec)).toBe("handshake:error:auth")

    const touched = reloadWhere(engine, (event) => event.added === 1)
    await utimes(join(dir, "a.key"), new Date(), new Date())
    expect(await guard(touched, 10_000, "no reload after a.key was touched")).toMatchObject({
      added: 1,
      removed: 1,
      total: 202,
    })
    expect(await attemptHandshake(server, unnamed.spec)).toBe("handshake")
    expect(await attemptHandshake(server, first.spec)).toBe("handshake:error:auth")
  })

  it("reads the whole directory now and then: a change no notification named is applied", async () => {
    const first = await clientFrom(spare, "first")
    await link(first.publicFile, join(dir, "a.key"))
    await engine.configureCurve("*", dir, { watch: true, debounceMs: 20, pollMs: 10 })
    expect(await attemptHandshake(server, first.spec)).toBe("handshake")
    const unnamed = await clientFrom(spare, "unnamed")
    const reloaded = reloadWhere(engine, (event) => event.added === 1 && event.removed === 1)
    await writeFile(first.publicFile, await readFile(unnamed.publicFile))
    expect(await guard(reloaded, 10_000, "no periodic read of the whole directory")).toMatchObject({ total: 1 })
    expect(await attemptHandshake(server, first.spec)).toBe("handshake:error:auth")
    expect(await attemptHandshake(server, unnamed.spec)).toBe("handshake")
  })

  it("an empty directory gives a total: 0 event and one process warning naming it", async () => {
    const warnings: Error[] = []
    const onWarning = (warning: Error): void => void warnings.push(warning)
    process.on("warning", onWarning)
    try {
      const events: CertificateReloadEvent[] = []
      engine.on("certificates:reload", (event) => events.push(event))
      await engine.configureCurve("*", dir)
      await engine.configureCurve("other", dir, { watch: true })
      expect(events).toMatchObject([
        { domain: "*", directory: dir, added: 0, removed: 0, total: 0, errors: [] },
        { domain: "other", directory: dir, total: 0 },
      ])
      // process.emitWarning delivers on the next tick.
      await new Promise((resolve) => setImmediate(resolve))
      const named = warnings.filter((warning) => warning.message.includes(dir))
      expect(named).toHaveLength(1)
      expect(named[0]).toMatchObject({ code: "ZMQ_AUTH_NO_CERTIFICATES" })
      const client = await clientFrom(spare, "client")
      expect(await attemptHandshake(server, client.spec)).toBe("handshake:error:auth")
    } finally {
      process.off("warning", onWarning)
    }
  })

  it("a certificate:error listener that throws does not make configureCurve reject", async () => {
    const good = await clientFrom(dir, "good")
    await writeFile(join(dir, "broken.key"), "not a certificate")
    const reported: string[] = []
    engine.on("certificate:error", (error) => {
      reported.push(error.file)
      throw new Error("listener failure")
    })
    await engine.configureCurve("*", dir)
    expect(reported).toEqual([join(dir, "broken.key")])
    expect(await attemptHandshake(server, good.spec)).toBe("handshake")
  })

  it("close() during a watched read rejects that call, and watching after close() rejects", async () => {
    await clientFrom(dir, "good")
    const pending = engine.configureCurve("*", dir, { watch: true })
    engine.close()
    await expect(pending).rejects.toBeInstanceOf(AuthenticatorError)
    await expect(engine.configureCurve("*", dir, { watch: true })).rejects.toBeInstanceOf(AuthenticatorError)
  })

  it("rejects invalid options with AuthenticatorError before anything changes", async () => {
    const good = await clientFrom(dir, "good")
    const earlier = engine.configureCurve("*", dir)
    for (const options of [
      null,
      "watch",
      { watch: "yes" },
      { debounceMs: -1 },
      { pollMs: 0 },
      { pollMs: 2 ** 31 },
      { debounceMs: Number.POSITIVE_INFINITY },
    ]) {
      await expect(engine.configureCurve("*", dir, options as never)).rejects.toBeInstanceOf(AuthenticatorError)
    }
    await earlier
    // A rejected call (null options included) leaves the domain's generation alone: the earlier call still applies.
    expect(await attemptHandshake(server, good.spec)).toBe("handshake")
  })

  it("stops watching when the domain is reconfigured", async () => {
    await engine.configureCurve("*", dir, { watch: true, debounceMs: 20 })
    await engine.configureCurve("witness", dir, { watch: true, debounceMs: 20 })
    engine.configureCurveKeys("*", [])
    const reloadedDomains: string[] = []
    engine.on("certificates:reload", (event) => reloadedDomains.push(event.domain))
    const witnessed = new Promise<void>((resolve) =>
      engine.on("certificates:reload", (event) => {
        if (event.domain === "witness") resolve()
      })
    )
    const client = await clientFrom(dir, "ignored")
    await witnessed
    expect(reloadedDomains.filter((domain) => domain !== "witness")).toEqual([])
    expect(await attemptHandshake(server, client.spec)).toBe("handshake:error:auth")
  })
})
