import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest"
import { curveKeyPair, Dealer, Router } from "zeromq"
import {
  Authenticator,
  createCertificates,
  loadCertificate,
  loadCertificates,
  requireZap,
  z85,
  ZapHandler,
  type ZapRequest,
} from "@zmq-auth/core"
import type { AdapterUnderTest } from "../helpers/adapter.js"
import { ownsItsMemory, reachableMemory, reachableViews } from "../helpers/buffer-memory.js"
import { loopAdapter } from "../helpers/loop-adapter.js"
import { firstHandshake, guard } from "../helpers/pyzmq-scenarios.js"
import { runNode } from "../helpers/run-node.js"
import { rxAdapter } from "../helpers/rx-adapter.js"
import { threadAdapter } from "../helpers/thread-adapter.js"

// Secrets (PLAIN passwords, tried or stored, and CURVE secret keys) must not appear in any
// event of Authenticator or ZapHandler, in any console or stdout/stderr line, process warning,
// or error message. Everything emitted during a PLAIN and a CURVE session is captured and
// searched, in text, hex and base64 forms.

const PASSWORD = "Tr0ub4dor&3-correct-horse"
const WRONG_PASSWORD = "hunter2-battery-staple"

/** Everything observable, flattened to strings. */
class Capture {
  readonly texts: string[] = []
  readonly #seen = new WeakSet<object>()

  add(value: unknown, depth = 0): void {
    if (depth > 8 || value === null || value === undefined) return
    if (typeof value === "string") {
      this.texts.push(value)
    } else if (
      typeof value === "number" ||
      typeof value === "boolean" ||
      typeof value === "bigint" ||
      typeof value === "symbol"
    ) {
      this.texts.push(String(value))
    } else if (value instanceof Uint8Array) {
      const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength)
      this.texts.push(bytes.toString("latin1"), bytes.toString("utf8"), bytes.toString("hex"), bytes.toString("base64"))
      if (bytes.length % 4 === 0) this.texts.push(z85.encode(bytes))
    } else if (typeof value === "object") {
      if (this.#seen.has(value)) return
      this.#seen.add(value)
      if (value instanceof Error) {
        this.texts.push(value.message, value.stack ?? "")
        this.add(value.cause, depth + 1)
      }
      if (value instanceof Map) for (const [key, item] of value) this.add([key, item], depth + 1)
      for (const key of Object.getOwnPropertyNames(value)) {
        this.texts.push(key)
        this.add((value as Record<string, unknown>)[key], depth + 1)
      }
    }
  }

  /** Every needle form found in the capture, named with its encoding. */
  leaks(needles: Record<string, string | Buffer>): string[] {
    const found: string[] = []
    const haystack = this.texts.join("\n")
    for (const [name, needle] of Object.entries(needles)) {
      const bytes = typeof needle === "string" ? Buffer.from(needle) : needle
      const forms = [bytes.toString("latin1"), bytes.toString("hex"), bytes.toString("base64")]
      if (typeof needle === "string") forms.push(needle)
      for (const form of forms) if (haystack.includes(form)) found.push(`${name} (${encodingOf(form, bytes)})`)
    }
    return [...new Set(found)]
  }
}

/** Records every event `emitter` emits, with all its arguments. */
function captureEvents(
  emitter: { emit(event: string, ...args: unknown[]): boolean },
  capture: Capture,
  label: string
): void {
  const emit = emitter.emit.bind(emitter)
  emitter.emit = (event: string, ...args: unknown[]) => {
    capture.add([label, event, args])
    return emit(event, ...args)
  }
}

describe("no secret in events, logs or error messages", () => {
  const capture = new Capture()
  const serverKeys = curveKeyPair()
  const clientKeys = curveKeyPair()
  const strangerKeys = curveKeyPair()
  let base = ""
  const sockets: Array<Router | Dealer> = []
  const restore: Array<() => void> = []

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), "zmq-auth-secrets-"))
    for (const method of ["log", "info", "warn", "error", "debug", "trace"] as const) {
      const spy = vi.spyOn(console, method).mockImplementation((...args: unknown[]) => capture.add(args))
      restore.push(() => spy.mockRestore())
    }
    for (const stream of [process.stdout, process.stderr]) {
      const write = stream.write.bind(stream)
      stream.write = ((chunk: unknown, ...rest: unknown[]) => {
        capture.add(chunk)
        return (write as (...args: unknown[]) => boolean)(chunk, ...rest)
      }) as typeof stream.write
      restore.push(() => void (stream.write = write))
    }
    const onWarning = (warning: Error): void => capture.add(warning)
    process.on("warning", onWarning)
    restore.push(() => void process.off("warning", onWarning))
  })
  afterAll(async () => {
    for (const undo of restore.splice(0)) undo()
    await rm(base, { recursive: true, force: true })
  })
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close()
  })

  const needles = (): Record<string, string | Buffer> => ({
    "stored PLAIN password": PASSWORD,
    "tried PLAIN password": WRONG_PASSWORD,
    "server secret key": serverKeys.secretKey,
    "server secret key bytes": z85.decode(serverKeys.secretKey),
    "client secret key": clientKeys.secretKey,
    "client secret key bytes": z85.decode(clientKeys.secretKey),
    "stranger secret key": strangerKeys.secretKey,
  })

  async function handshake(configure: (server: Router, client: Dealer) => void, domain: string): Promise<string> {
    const server = new Router({ linger: 0 })
    const client = new Dealer({ linger: 0 })
    configure(server, client)
    requireZap(server, domain)
    sockets.push(server, client)
    const outcome = firstHandshake(server)
    await server.bind("tcp://127.0.0.1:*")
    client.connect(server.lastEndpoint!)
    return guard(outcome, 10_000, "no handshake outcome")
  }

  it("a PLAIN and a CURVE session with the stock engine leak nothing", async () => {
    const engine = new Authenticator({ callbackTimeoutMs: 100 })
    const handler = new ZapHandler(engine)
    captureEvents(engine as never, capture, "Authenticator")
    captureEvents(handler as never, capture, "ZapHandler")
    // Keep listeners on every event, so that everything is emitted.
    for (const event of ["decision", "certificate:error"] as const) engine.on(event, () => undefined)
    for (const event of ["protocol:error", "authenticate:error", "reply:error"] as const)
      handler.on(event, () => undefined)
    await handler.start()
    try {
      // PLAIN: allowed, wrong password, unknown user holding the real password.
      engine.configurePlain("*", { admin: PASSWORD })
      const plain = (username: string, password: string) => (server: Router, client: Dealer) => {
        server.plainServer = true
        client.plainUsername = username
        client.plainPassword = password
      }
      expect(await handshake(plain("admin", PASSWORD), "plain")).toBe("handshake")
      expect(await handshake(plain("admin", WRONG_PASSWORD), "plain")).toBe("handshake:error:auth")
      expect(await handshake(plain("root", PASSWORD), "plain")).toBe("handshake:error:auth")

      // CURVE: keys from a directory next to the secret files; a bad certificate file in it.
      const publicDir = join(base, "public")
      const secretDir = join(base, "secret")
      await Promise.all([mkdir(publicDir), mkdir(secretDir)])
      const written = await createCertificates(secretDir, "client", { role: "worker" })
      await writeFile(join(publicDir, "client.key"), `curve\n    public-key = "${clientKeys.publicKey}"\n`)
      // A certificate with the secret key in the public-key field, and one with a malformed secret key.
      await writeFile(join(publicDir, "swapped.key"), `curve\n    public-key = "${strangerKeys.secretKey}x"\n`)
      await writeFile(
        join(publicDir, "bad-secret.key"),
        `curve\n    public-key = "${strangerKeys.publicKey}"\n    secret-key = "${strangerKeys.secretKey}!"\n`
      )
      await engine.configureCurve("*", publicDir)
      const curve = (keys: { publicKey: string; secretKey: string }) => (server: Router, client: Dealer) => {
        server.curveServer = true
        server.curveSecretKey = serverKeys.secretKey
        client.curveServerKey = serverKeys.publicKey
        client.curvePublicKey = keys.publicKey
        client.curveSecretKey = keys.secretKey
      }
      expect(await handshake(curve(clientKeys), "curve")).toBe("handshake")
      expect(await handshake(curve(strangerKeys), "curve")).toBe("handshake:error:auth")
      engine.configureCurveCallback("*", () => {
        throw new Error("lookup failed")
      })
      expect(await handshake(curve(clientKeys), "curve")).toBe("handshake:error:auth")

      // Error messages of misuse and bad files: every one of these fails with its typed error.
      const errors: unknown[] = []
      const failure = async (action: () => unknown): Promise<string> => {
        try {
          await action()
        } catch (error) {
          errors.push(error)
          return (error as { code?: string }).code ?? String(error)
        }
        return "no error"
      }
      const failures = [
        await failure(() => engine.configureCurveKeys("*", [`${serverKeys.secretKey}=`])),
        await failure(() => engine.configureCurveKeys("*", [z85.decode(serverKeys.secretKey).subarray(0, 31)])),
        await failure(() => engine.configurePlain("*", { admin: PASSWORD, other: 42 as unknown as string })),
        await failure(() => loadCertificate(join(publicDir, "swapped.key"))),
        await failure(() => loadCertificate(join(publicDir, "bad-secret.key"))),
        await failure(() => loadCertificates(publicDir)),
        await failure(() =>
          loadCertificate(written.secretFile).then(() => loadCertificate(join(secretDir, "missing.key_secret")))
        ),
      ]
      expect(failures).toEqual([...Array(3).fill("ERR_AUTHENTICATOR"), ...Array(4).fill("ERR_CERTIFICATE")])
      capture.add(errors)
    } finally {
      await handler.stop()
    }
    // The capture saw the sessions: redacted PLAIN decisions, CURVE decisions, bad files, the 500.
    const seen = capture.texts.join("\n")
    for (const expected of [
      "[redacted]",
      clientKeys.publicKey,
      "swapped.key",
      "bad-secret.key",
      "lookup failed",
      "certificate:error",
      "decision",
    ]) {
      expect(seen).toContain(expected)
    }
    expect(capture.leaks(needles())).toEqual([])
  })

  const adapterSession = (adapter: AdapterUnderTest) => async () => {
    const served = await adapter.serve({ callbackTimeoutMs: 100 })
    try {
      await served.engine.configurePlain("*", { admin: PASSWORD })
      await served.engine.configureCurveKeys("*", [clientKeys.publicKey])
      const outcomes: string[] = []
      for (const password of [PASSWORD, WRONG_PASSWORD]) {
        outcomes.push(
          await handshake((server, client) => {
            server.plainServer = true
            client.plainUsername = "admin"
            client.plainPassword = password
          }, "plain")
        )
      }
      for (const keys of [clientKeys, strangerKeys]) {
        outcomes.push(
          await handshake((server, client) => {
            server.curveServer = true
            server.curveSecretKey = serverKeys.secretKey
            client.curveServerKey = serverKeys.publicKey
            client.curvePublicKey = keys.publicKey
            client.curveSecretKey = keys.secretKey
          }, "curve")
        )
      }
      expect(outcomes).toEqual(["handshake", "handshake:error:auth", "handshake", "handshake:error:auth"])
      while (served.decisions.length < 4) await served.nextDecision()
    } finally {
      await served.stop()
    }
    const events = new Capture()
    events.add(served.decisions)
    expect(events.texts.join("\n")).toContain("[redacted]")
    expect(events.leaks(needles())).toEqual([])
    expect(capture.leaks(needles())).toEqual([])
    // Cloned as postMessage does: every Buffer carries only its own bytes, none of a secret.
    const cloned = structuredClone(served.decisions)
    expect(reachableViews(cloned).filter((view) => !ownsItsMemory(view as Uint8Array))).toEqual([])
    const memory = reachableMemory(cloned)
    for (const needle of [PASSWORD, z85.decode(serverKeys.secretKey), z85.decode(clientKeys.secretKey)])
      expect(memory.includes(needle)).toBe(false)
  }
  for (const adapter of [loopAdapter, threadAdapter, rxAdapter]) {
    it(`decision events of the ${adapter.name} adapter carry no secret`, adapterSession(adapter))
  }

  it("a decision event cloned in a fresh server holds neither the passwords nor the loaded secret key", async () => {
    const result = await runNode(fileURLToPath(new URL("../fixtures/secrets/clone-decision.mjs", import.meta.url)), [])
    expect(result.stderr).toBe("")
    const report = JSON.parse(result.stdout) as {
      status: number
      redacted: string
      leaks: string[]
      views: Array<[number, number]>
    }
    expect(report.status).toBe(400)
    expect(report.redacted).toBe("[redacted]")
    expect(report.leaks).toEqual([])
    for (const [length, memory] of report.views) expect(memory).toBe(length)
  })

  it("ZapHandler's authenticate:error event carries no PLAIN password when an engine throws", async () => {
    // A custom engine (ZapHandler takes any { authenticate }) that fails on one request.
    const events = new Capture()
    const handler = new ZapHandler({
      authenticate: (request: ZapRequest) =>
        request.mechanism === "PLAIN"
          ? Promise.reject(new Error("backend unavailable"))
          : new Authenticator().authenticate(request),
    })
    captureEvents(handler as never, events, "ZapHandler")
    handler.on("authenticate:error", () => undefined)
    await handler.start()
    try {
      const outcome = await handshake((server, client) => {
        server.plainServer = true
        client.plainUsername = "admin"
        client.plainPassword = PASSWORD
      }, "plain")
      expect(outcome).toBe("handshake:error:auth")
    } finally {
      await handler.stop()
    }
    expect(events.texts.join("\n")).toContain("backend unavailable")
    expect(events.leaks({ "PLAIN password": PASSWORD })).toEqual([])
  })
})

/** Which encoding of `bytes` the leaked `form` is. */
function encodingOf(form: string, bytes: Buffer): string {
  if (form === bytes.toString("hex")) return "hex"
  if (form === bytes.toString("base64")) return "base64"
  return "text"
}
