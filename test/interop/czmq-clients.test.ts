import { mkdir, mkdtemp, readFile, rename, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { Authenticator, createCertificates, loadCertificate, ZapHandler, type DecisionEvent } from "@zmq-auth/core"
import { compileCzmq } from "../helpers/czmq.js"
import { startPongServer, type PongServer } from "./pong-server.js"

// CZMQ clients (a C program compiled against libczmq, a separate process) against a Node server
// hardened with requireZap and authenticated by Authenticator + ZapHandler. The CURVE clients
// load zmq-auth-written certificate files with zcert_load and apply them with zcert_apply.

describe("CZMQ clients against a Node server authenticated by zmq-auth", () => {
  let client: (...args: string[]) => Promise<string>
  let base = ""
  const engine = new Authenticator()
  const handler = new ZapHandler(engine)
  const decisions: DecisionEvent[] = []
  const servers: PongServer[] = []

  beforeAll(async () => {
    client = await compileCzmq(
      await readFile(new URL("../fixtures/interop/czmq-client.c", import.meta.url), "utf8"),
      "czmq-client",
      ["libzmq"]
    )
    base = await mkdtemp(join(tmpdir(), "zmq-auth-czmq-clients-"))
    engine.on("decision", (event) => decisions.push(event))
    await handler.start()
  })
  afterAll(async () => {
    await handler.stop()
    await rm(base, { recursive: true, force: true })
  })
  afterEach(() => {
    for (const server of servers.splice(0)) server.close()
  })

  async function server(mechanism: "PLAIN" | "CURVE", domain: string): Promise<PongServer> {
    const started = await startPongServer(mechanism, domain)
    servers.push(started)
    return started
  }
  const run = async (...args: string[]): Promise<string[]> => (await client(...args)).trim().split("\n")

  it("PLAIN: the right password passes, a wrong one does not", async () => {
    engine.configurePlain("czmq-plain", { admin: "secret" })
    const target = await server("PLAIN", "czmq-plain")
    expect(await run(target.endpoint, "plain", "admin", "secret")).toEqual(["handshake", "round-trip ok"])
    expect(await run(target.endpoint, "plain", "admin", "secret!")).toEqual(["handshake:error:auth", "round-trip none"])
    const plain = decisions.filter((event) => event.request.domain === "czmq-plain")
    expect(plain.filter((event) => event.reply.statusCode === 200).map((event) => event.reply.userId)).toEqual([
      "admin",
    ])
  })

  it("CURVE: a zmq-auth certificate loaded by zcert_load passes if its key is in the directory, else not", async () => {
    const publicDir = join(base, "public")
    const secretDir = join(base, "secret")
    await Promise.all([mkdir(publicDir), mkdir(secretDir)])
    const known = await createCertificates(secretDir, "known", { role: "worker" })
    const unknown = await createCertificates(secretDir, "unknown")
    await rename(known.publicFile, join(publicDir, "known.key"))
    await engine.configureCurve("czmq-curve", publicDir)
    const target = await server("CURVE", "czmq-curve")
    expect(await run(target.endpoint, "curve", target.publicKey, known.secretFile)).toEqual([
      "handshake",
      "round-trip ok",
    ])
    expect(await run(target.endpoint, "curve", target.publicKey, unknown.secretFile)).toEqual([
      "handshake:error:auth",
      "round-trip none",
    ])
    const curve = decisions.filter((event) => event.request.domain === "czmq-curve")
    const knownKey = (await loadCertificate(known.secretFile)).publicKey
    expect(curve.filter((event) => event.reply.statusCode === 200).map((event) => event.reply.userId)).toEqual([
      knownKey,
    ])
    const denied = curve.filter((event) => event.reply.statusCode !== 200).map((event) => event.reply.statusText)
    expect(denied.length).toBeGreaterThan(0)
    expect(new Set(denied)).toEqual(new Set(["Unknown key"]))
  })
})
