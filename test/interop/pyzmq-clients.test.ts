import { mkdir, mkdtemp, rename, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { curveKeyPair } from "zeromq"
import {
  Authenticator,
  createCertificates,
  CURVE_ALLOW_ANY,
  loadCertificate,
  ZapHandler,
  type DecisionEvent,
} from "@zmq-auth/core"
import { requirePyzmq, runPythonJson } from "../helpers/python.js"
import { startPongServer, type PongServer } from "./pong-server.js"

// pyzmq clients, each attempt a REQ socket in a separate Python process, against a Node server
// hardened with requireZap and authenticated by Authenticator + ZapHandler. The client reports
// its first handshake event (socket monitor, bounded wait) and whether a req/rep round trip
// succeeded; the Node side checks the decisions it made.

const PY_CLIENTS = `
import json, sys, zmq, zmq.auth
from zmq.utils.monitor import recv_monitor_message
OUTCOMES = {
    zmq.EVENT_HANDSHAKE_SUCCEEDED: "handshake",
    zmq.EVENT_HANDSHAKE_FAILED_AUTH: "handshake:error:auth",
    zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL: "handshake:error:protocol",
    zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL: "handshake:error:other",
}
context = zmq.Context()
results = []
for spec in json.loads(sys.argv[1]):
    socket = context.socket(zmq.REQ)
    socket.linger = 0
    if spec["mechanism"] == "PLAIN":
        socket.plain_username = spec["username"].encode()
        socket.plain_password = spec["password"].encode()
    elif spec["mechanism"] == "CURVE":
        if "secretFile" in spec:
            public, secret = zmq.auth.load_certificate(spec["secretFile"])
        else:
            public, secret = zmq.curve_keypair()
        socket.curve_publickey = public
        socket.curve_secretkey = secret
        socket.curve_serverkey = spec["serverKey"].encode()
    monitor = socket.get_monitor_socket(sum(OUTCOMES))
    socket.connect(spec["endpoint"])
    outcome = "no handshake event within 10 s"
    if monitor.poll(10000):
        outcome = OUTCOMES.get(recv_monitor_message(monitor)["event"], "unexpected event")
    round_trip = False
    if outcome == "handshake":
        socket.send(b"ping")
        if socket.poll(10000):
            round_trip = socket.recv() == b"pong"
    results.append({"outcome": outcome, "roundTrip": round_trip})
    socket.disable_monitor()
    monitor.close()
    socket.close()
context.term()
print(json.dumps(results))
`

const PY_CREATE = `
import json, sys, zmq.auth
public_file, secret_file = zmq.auth.create_certificates(sys.argv[1], sys.argv[2])
print(json.dumps({"public": zmq.auth.load_certificate(secret_file)[0].decode(), "secretFile": secret_file}))
`

type ClientSpec =
  | { mechanism: "PLAIN"; username: string; password: string }
  | { mechanism: "CURVE"; serverKey: string; secretFile?: string }

interface ClientResult {
  outcome: string
  roundTrip: boolean
}

/** Runs the pyzmq clients of `specs` against `endpoint`, one Python process for the list. */
function pyzmqClients(endpoint: string, specs: ClientSpec[]): Promise<ClientResult[]> {
  return runPythonJson<ClientResult[]>(
    PY_CLIENTS,
    [JSON.stringify(specs.map((spec) => ({ ...spec, endpoint })))],
    60_000
  )
}

describe("pyzmq clients against a Node server authenticated by zmq-auth", () => {
  let base = ""
  let authenticator: Authenticator
  let handler: ZapHandler
  const decisions: DecisionEvent[] = []
  const servers: PongServer[] = []

  beforeAll(async () => {
    requirePyzmq()
    base = await mkdtemp(join(tmpdir(), "zmq-auth-pyzmq-clients-"))
  })
  afterAll(async () => {
    await rm(base, { recursive: true, force: true })
  })
  afterEach(async () => {
    for (const server of servers.splice(0)) server.close()
    await handler.stop()
    decisions.length = 0
  })

  async function serve(): Promise<Authenticator> {
    authenticator = new Authenticator()
    authenticator.on("decision", (event) => decisions.push(event))
    handler = new ZapHandler(authenticator)
    await handler.start()
    return authenticator
  }
  async function server(mechanism: "PLAIN" | "CURVE", domain: string): Promise<PongServer> {
    const started = await startPongServer(mechanism, domain)
    servers.push(started)
    return started
  }

  it("PLAIN: only admin with the right password gets through", async () => {
    ;(await serve()).configurePlain("plain", { admin: "secret" })
    const target = await server("PLAIN", "plain")
    const results = await pyzmqClients(target.endpoint, [
      { mechanism: "PLAIN", username: "admin", password: "secret" },
      { mechanism: "PLAIN", username: "admin", password: "Secret" },
      { mechanism: "PLAIN", username: "admin", password: "secret " },
      { mechanism: "PLAIN", username: "root", password: "secret" },
      { mechanism: "PLAIN", username: "admin\u0000", password: "secret" },
      { mechanism: "PLAIN", username: "Admin", password: "secret" },
    ])
    expect(results).toEqual([
      { outcome: "handshake", roundTrip: true },
      { outcome: "handshake:error:auth", roundTrip: false },
      { outcome: "handshake:error:auth", roundTrip: false },
      { outcome: "handshake:error:auth", roundTrip: false },
      { outcome: "handshake:error:auth", roundTrip: false },
      { outcome: "handshake:error:auth", roundTrip: false },
    ])
    const allowed = decisions.filter((event) => event.reply.statusCode === 200)
    expect(allowed.map((event) => event.reply.userId)).toEqual(["admin"])
    const texts = new Set(
      decisions.filter((event) => event.reply.statusCode !== 200).map((event) => event.reply.statusText)
    )
    expect(texts).toEqual(new Set(["Invalid password", "Invalid username"]))
    for (const event of decisions)
      expect(event.request).toMatchObject({ domain: "plain", mechanism: "PLAIN", address: "127.0.0.1" })
  })

  it("PLAIN: an allow-listed address still needs the password; a denied address never passes", async () => {
    ;(await serve()).configurePlain("*", { admin: "secret" }).allow("127.0.0.1")
    const target = await server("PLAIN", "plain")
    expect(
      await pyzmqClients(target.endpoint, [
        { mechanism: "PLAIN", username: "admin", password: "wrong" },
        { mechanism: "PLAIN", username: "admin", password: "secret" },
      ])
    ).toEqual([
      { outcome: "handshake:error:auth", roundTrip: false },
      { outcome: "handshake", roundTrip: true },
    ])
    await handler.stop()
    decisions.length = 0
    ;(await serve()).configurePlain("*", { admin: "secret" }).deny("127.0.0.1")
    expect(
      await pyzmqClients(target.endpoint, [{ mechanism: "PLAIN", username: "admin", password: "secret" }])
    ).toEqual([{ outcome: "handshake:error:auth", roundTrip: false }])
    expect(new Set(decisions.map((event) => event.reply.statusText))).toEqual(new Set(["Address denied"]))
  })

  it("CURVE: keys from a certificate directory (pyzmq- and zmq-auth-written) pass, unknown keys do not", async () => {
    const dir = join(base, "curve")
    const secrets = join(base, "curve-secrets")
    await Promise.all([mkdir(dir), mkdir(secrets)])
    const pythonCert = await runPythonJson<{ public: string; secretFile: string }>(PY_CREATE, [
      secrets,
      "python-client",
    ])
    // Only public certificates in the directory, as pyzmq's tests arrange it.
    await rename(join(secrets, "python-client.key"), join(dir, "python-client.key"))
    const ours = await createCertificates(secrets, "node-client", { role: "worker" })
    await rename(ours.publicFile, join(dir, "node-client.key"))
    const oursKey = (await loadCertificate(ours.secretFile)).publicKey

    const engine = await serve()
    await engine.configureCurve("curve", dir)
    await engine.configureCurve("open", CURVE_ALLOW_ANY)
    const closed = await server("CURVE", "curve")
    const open = await server("CURVE", "open")
    const [closedResults, openResults] = await Promise.all([
      pyzmqClients(closed.endpoint, [
        { mechanism: "CURVE", serverKey: closed.publicKey, secretFile: pythonCert.secretFile },
        { mechanism: "CURVE", serverKey: closed.publicKey, secretFile: ours.secretFile },
        { mechanism: "CURVE", serverKey: closed.publicKey },
        { mechanism: "CURVE", serverKey: curveKeyPair().publicKey, secretFile: pythonCert.secretFile },
      ]),
      pyzmqClients(open.endpoint, [{ mechanism: "CURVE", serverKey: open.publicKey }]),
    ])
    expect(closedResults).toEqual([
      { outcome: "handshake", roundTrip: true },
      { outcome: "handshake", roundTrip: true },
      { outcome: "handshake:error:auth", roundTrip: false },
      // Wrong server key: the CURVE handshake fails before ZAP (the client sees the server hang up).
      { outcome: expect.stringMatching(/^handshake:error:/) as unknown as string, roundTrip: false },
    ])
    expect(openResults).toEqual([{ outcome: "handshake", roundTrip: true }])
    const closedAllowed = decisions.filter(
      (event) => event.request.domain === "curve" && event.reply.statusCode === 200
    )
    expect(new Set(closedAllowed.map((event) => event.reply.userId))).toEqual(new Set([pythonCert.public, oursKey]))
    const closedDenied = decisions.filter((event) => event.request.domain === "curve" && event.reply.statusCode !== 200)
    expect(closedDenied.length).toBeGreaterThan(0)
    for (const event of closedDenied)
      expect(event.reply).toMatchObject({ statusCode: 400, statusText: "Unknown key", userId: "" })
  })
})
