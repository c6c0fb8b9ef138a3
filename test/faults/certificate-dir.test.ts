import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { basename, join } from "node:path"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { curveKeyPair, Dealer, Router } from "zeromq"
import {
  Authenticator,
  CertificateError,
  createCertificates,
  loadCertificate,
  loadCertificates,
  readCertificateDirectory,
  requireZap,
  z85,
  ZapHandler,
  type CertificateReloadEvent,
} from "@zmq-auth/core"
import { ZapClient } from "../fuzz/zap-client.js"
import type { AdapterUnderTest, ServedEngine } from "../helpers/adapter.js"
import { loopAdapter } from "../helpers/loop-adapter.js"
import { decisionAt, firstHandshake, guard, type HandshakeOutcome } from "../helpers/pyzmq-scenarios.js"
import { rxAdapter } from "../helpers/rx-adapter.js"
import { zapFrames } from "../helpers/sockets.js"
import { threadAdapter } from "../helpers/thread-adapter.js"

// A certificate directory with good files and bad ones (unreadable, empty, malformed): the good
// keys load, each bad file is reported by name, and a key from a bad file is never accepted.

/** chmod 000 does not stop root from reading: then an unreadable entry is made another way. */
const RUNNING_AS_ROOT = process.getuid?.() === 0

let base = ""
let dir = ""
const good: Array<{ publicKey: string; secretKey: string }> = []
/** A client whose public key sits in a file rejected for its malformed secret key. */
const rejected = curveKeyPair()
const expectedBad = new Set<string>()

async function bad(name: string, content: string | Buffer): Promise<void> {
  await writeFile(join(dir, name), content)
  expectedBad.add(name)
}

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), "zmq-auth-certdir-"))
  dir = join(base, "certs")
  const secrets = join(base, "secrets")
  await Promise.all([mkdir(dir), mkdir(secrets)])
  for (const name of ["alice", "bob"]) {
    const files = await createCertificates(secrets, name, { name })
    const certificate = await loadCertificate(files.secretFile)
    await writeFile(join(dir, `${name}.key`), `curve\n    public-key = "${certificate.publicKey}"\n`)
    good.push({ publicKey: certificate.publicKey, secretKey: certificate.secretKey! })
  }
  const sample = curveKeyPair().publicKey
  await bad("empty.key", "")
  await bad("comments-only.key", "#   ZeroMQ CURVE Public Certificate\n#   nothing else\n")
  await bad("short-key.key", `curve\n    public-key = "${sample.slice(0, 39)}"\n`)
  await bad("long-key.key", `curve\n    public-key = "${sample}0"\n`)
  await bad("bad-alphabet.key", `curve\n    public-key = "${sample.slice(0, 39)}~"\n`)
  await bad("wrong-section.key", `metadata\n    public-key = "${sample}"\n`)
  await bad("unindented.key", `curve\npublic-key = "${sample}"\n`)
  await bad("binary.key", Buffer.from([0, 255, 1, 254, 10, 0x22, 0x3d, 0x0a, 0x20]))
  await bad(
    "bad-secret.key",
    `curve\n    public-key = "${rejected.publicKey}"\n    secret-key = "${rejected.secretKey.slice(1)}"\n`
  )
  // Unreadable entries: a dangling symlink and a symlink to a directory, whoever runs the tests;
  // a chmod 000 file when not root (root reads it anyway).
  await symlink(join(base, "nowhere.key"), join(dir, "dangling.key"))
  expectedBad.add("dangling.key")
  await mkdir(join(base, "a-directory"))
  await symlink(join(base, "a-directory"), join(dir, "directory-link.key"))
  expectedBad.add("directory-link.key")
  if (!RUNNING_AS_ROOT) {
    await bad("unreadable.key", `curve\n    public-key = "${sample}"\n`)
    await chmod(join(dir, "unreadable.key"), 0o000)
  }
  // Ignored entries: other extensions and secret files.
  await writeFile(join(dir, "README.txt"), "not a certificate")
  await writeFile(join(dir, "alice.key_secret"), "ignored: only *.key files are read")
})

afterAll(async () => {
  await rm(base, { recursive: true, force: true })
})

/** How `engine` answers a CURVE request with `publicKey` in domain "global": "<status> <text>". */
async function curveStatus(engine: Authenticator, publicKey: string): Promise<string> {
  const reply = await engine.authenticate({
    version: "1.0",
    requestId: Buffer.from("dir"),
    domain: "global",
    address: "127.0.0.1",
    identity: Buffer.alloc(0),
    mechanism: "CURVE",
    credentials: [z85.decode(publicKey)],
  })
  return `${reply.statusCode} ${reply.statusText}`
}

function expectNamedErrors(errors: readonly CertificateError[]): void {
  expect(new Set(errors.map((error) => basename(error.file)))).toEqual(expectedBad)
  expect(errors).toHaveLength(expectedBad.size)
  for (const error of errors) {
    expect(error).toBeInstanceOf(CertificateError)
    expect(error.code).toBe("ERR_CERTIFICATE")
    expect(error.message).toContain(basename(error.file))
  }
}

const BAD_FILES = RUNNING_AS_ROOT ? "symlinked" : "chmod 000, symlinked"

describe(`a certificate directory with ${BAD_FILES}, empty and malformed files`, () => {
  it("readCertificateDirectory: good keys in certificates, one named error per bad file", async () => {
    const { certificates, errors } = await readCertificateDirectory(dir)
    expect(new Set(certificates.keys())).toEqual(new Set(good.map((keys) => keys.publicKey)))
    expectNamedErrors(errors)
  })

  it("loadCertificates: onError receives each bad file; without it the first error rejects", async () => {
    const errors: CertificateError[] = []
    const loaded = await loadCertificates(dir, { onError: (error) => errors.push(error) })
    expect(new Set(loaded.keys())).toEqual(new Set(good.map((keys) => keys.publicKey)))
    expectNamedErrors(errors)
    const thrown = await loadCertificates(dir).then(
      () => undefined,
      (error: unknown) => error
    )
    expect(thrown).toBeInstanceOf(CertificateError)
    expect(expectedBad.has(basename((thrown as CertificateError).file))).toBe(true)
  })

  it("Authenticator.configureCurve: a certificate:error event per bad file, good keys applied", async () => {
    const engine = new Authenticator()
    const errors: CertificateError[] = []
    engine.on("certificate:error", (error) => errors.push(error))
    await engine.configureCurve("*", dir)
    expectNamedErrors(errors)
    for (const keys of good) expect(await curveStatus(engine, keys.publicKey)).toBe("200 OK")
    expect(await curveStatus(engine, rejected.publicKey)).toMatch(/^400 /)
    expect(await curveStatus(engine, curveKeyPair().publicKey)).toMatch(/^400 /)
  })

  it("configureCurve on a missing directory or a file rejects with CertificateError", async () => {
    const engine = new Authenticator()
    await expect(engine.configureCurve("*", join(base, "missing"))).rejects.toBeInstanceOf(CertificateError)
    await expect(engine.configureCurve("*", join(dir, "README.txt"))).rejects.toMatchObject({
      code: "ERR_CERTIFICATE",
      file: join(dir, "README.txt"),
    })
  })
})

function runDirectoryHandshakes(adapter: AdapterUnderTest): void {
  describe(`handshakes against keys from that directory (${adapter.name} adapter)`, () => {
    const serverKeys = curveKeyPair()
    const sockets: Array<Router | Dealer> = []
    let served: ServedEngine | undefined

    afterEach(async () => {
      for (const socket of sockets.splice(0)) socket.close()
      await served?.stop()
      served = undefined
    })

    async function attempt(
      engine: ServedEngine,
      client: { publicKey: string; secretKey: string }
    ): Promise<[HandshakeOutcome, string]> {
      const server = new Router({ linger: 0, curveServer: true, curveSecretKey: serverKeys.secretKey })
      requireZap(server, "certs")
      const outcome = firstHandshake(server)
      await server.bind("tcp://127.0.0.1:*")
      const socket = new Dealer({
        linger: 0,
        curveServerKey: serverKeys.publicKey,
        curvePublicKey: client.publicKey,
        curveSecretKey: client.secretKey,
      })
      sockets.push(server, socket)
      const mark = engine.decisions.length
      socket.connect(server.lastEndpoint!)
      const first = await guard(outcome, 10_000, "no handshake outcome")
      return [first, (await decisionAt(engine, mark)).reply.statusText]
    }

    it("good keys pass; the key of a rejected file and unknown keys do not", async () => {
      served = await adapter.serve()
      await served.engine.configureCurve("*", dir)
      for (const keys of good) expect(await attempt(served, keys)).toEqual(["handshake", "OK"])
      expect(await attempt(served, rejected)).toEqual(["handshake:error:auth", "Unknown key"])
      expect(await attempt(served, curveKeyPair())).toEqual(["handshake:error:auth", "Unknown key"])
    })

    it("a directory that cannot be listed leaves the previous keys in place", async () => {
      served = await adapter.serve()
      await served.engine.configureCurve("*", dir)
      await expect(
        Promise.resolve().then(() => served!.engine.configureCurve("*", join(base, "missing")))
      ).rejects.toMatchObject({
        code: "ERR_CERTIFICATE",
      })
      expect(await attempt(served, good[0]!)).toEqual(["handshake", "OK"])
      expect(await attempt(served, rejected)).toEqual(["handshake:error:auth", "Unknown key"])
    })
  })
}

for (const adapter of [loopAdapter, threadAdapter, rxAdapter]) runDirectoryHandshakes(adapter)

describe("ZapHandler keeps serving after configureCurve reported bad files", () => {
  it("answers a request right after the errors", async () => {
    const engine = new Authenticator()
    const handler = new ZapHandler(engine)
    let errors = 0
    engine.on("certificate:error", () => errors++)
    await handler.start()
    try {
      await engine.configureCurve("*", dir)
      expect(errors).toBe(expectedBad.size)
      const client = new ZapClient()
      try {
        const answers: string[] = []
        for (const [requestId, keys] of [
          ["good", good[0]!],
          ["rejected", rejected],
        ] as const) {
          const reply = await client.request(
            zapFrames({ requestId, domain: "global", mechanism: "CURVE", credentials: [z85.decode(keys.publicKey)] })
          )
          answers.push(`${reply.requestId.toString()} ${reply.statusCode}`)
        }
        expect(answers).toEqual(["good 200", "rejected 400"])
      } finally {
        client.close()
      }
    } finally {
      await handler.stop()
    }
  })
})

describe("a watched certificate directory (configureCurve { watch: true }) revokes deleted keys", () => {
  const engines: Authenticator[] = []

  afterEach(() => {
    for (const engine of engines.splice(0)) engine.close()
  })

  async function watched(files: Record<string, string>): Promise<{ engine: Authenticator; dir: string }> {
    const watchedDir = await mkdtemp(join(base, "watched-"))
    for (const [name, content] of Object.entries(files)) await writeFile(join(watchedDir, name), content)
    const engine = new Authenticator()
    engines.push(engine)
    await engine.configureCurve("*", watchedDir, { watch: true, debounceMs: 10 })
    return { engine, dir: watchedDir }
  }

  async function decide(engine: Authenticator, publicKey: string): Promise<string> {
    const reply = await engine.authenticate({
      version: "1.0",
      requestId: Buffer.from("watch"),
      domain: "",
      address: "127.0.0.1",
      identity: Buffer.alloc(0),
      mechanism: "CURVE",
      credentials: [Buffer.from(z85.decode(publicKey))],
    })
    return reply.statusText
  }

  async function removeAndReload(engine: Authenticator, file: string): Promise<CertificateReloadEvent> {
    const reloaded = new Promise<CertificateReloadEvent>((resolve) => engine.once("certificates:reload", resolve))
    await rm(file)
    return guard(reloaded, 10_000, "no certificates:reload after deleting a certificate file")
  }

  it("deleting a key file revokes its key", async () => {
    const alice = curveKeyPair().publicKey
    const bob = curveKeyPair().publicKey
    const { engine, dir: watchedDir } = await watched({
      "alice.key": certificateText(alice),
      "bob.key": certificateText(bob),
    })
    expect(await decide(engine, alice)).toBe("OK")
    await removeAndReload(engine, join(watchedDir, "alice.key"))
    expect(await decide(engine, alice)).toBe("Unknown key")
    expect(await decide(engine, bob)).toBe("OK")
  })

  it("deleting the last good key file revokes its key, even next to a malformed file", async () => {
    const alice = curveKeyPair().publicKey
    const { engine, dir: watchedDir } = await watched({
      "alice.key": certificateText(alice),
      "broken.key": "not a certificate\n",
    })
    expect(await decide(engine, alice)).toBe("OK")
    const event = await removeAndReload(engine, join(watchedDir, "alice.key"))
    // Deleting the only good file is a successful reload to no keys, not a failure that keeps
    // the last good keys: the deleted key is no longer accepted.
    expect(event.failure).toBeUndefined()
    expect(await decide(engine, alice)).toBe("Unknown key")
  })
})

function certificateText(publicKey: string): string {
  return `curve\n    public-key = "${publicKey}"\n`
}
