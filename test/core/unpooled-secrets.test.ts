import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { curveKeyPair } from "zeromq"
import {
  Authenticator,
  createCertificates,
  decodeMetadata,
  encodeMetadata,
  loadCertificate,
  normalizeCurveKey,
  parseZapRequest,
  redactRequest,
  z85,
  ZapProtocolError,
  type ZapRequest,
} from "@zmq-auth/core"
import { ownsItsMemory, sharedPoolDuring } from "../helpers/buffer-memory.js"
import { REDACTED } from "@zmq-auth/core/internal"

// Node's shared Buffer pool is one 8 KiB ArrayBuffer behind many small Buffers; structuredClone
// and postMessage copy all of it. Secrets never go there, and Buffers handed out own their memory.

const PASSWORD = "pool-probe-Tr0ub4dor&3"
const PASSWORD_BYTES = Buffer.from(PASSWORD)

describe("secrets stay out of Node's shared Buffer pool", () => {
  let directory = ""
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), "zmq-auth-pool-"))
  })
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true })
  })

  it("configurePlain encodes passwords outside the pool", async () => {
    const engine = new Authenticator()
    const pool = await sharedPoolDuring(() => engine.configurePlain("*", { admin: PASSWORD, other: `${PASSWORD}-2` }))
    expect(pool.includes(PASSWORD_BYTES)).toBe(false)
  })

  it("z85.decode returns bytes that own their memory, and decodes outside the pool", async () => {
    const { secretKey } = curveKeyPair()
    const raw = Buffer.from(z85.decode(secretKey))
    let decoded: Buffer | undefined
    const pool = await sharedPoolDuring(() => (decoded = z85.decode(secretKey)))
    expect(ownsItsMemory(decoded!)).toBe(true)
    expect(decoded!.equals(raw)).toBe(true)
    expect(pool.includes(raw)).toBe(false)
  })

  it("z85.encode assembles the text of a key, or of longer data, outside the pool", async () => {
    const secret = z85.decode(curveKeyPair().secretKey)
    const long = Buffer.alloc(128, 0x5a)
    const texts = [z85.encode(secret), z85.encode(long)]
    const needles = texts.map((text) => Buffer.from(text, "latin1"))
    const results: string[] = []
    const pool = await sharedPoolDuring(() => results.push(z85.encode(secret), z85.encode(long)))
    expect(results).toEqual(texts)
    for (const needle of needles) expect(pool.includes(needle)).toBe(false)
  })

  it("normalizeCurveKey validates a secret key outside the pool", async () => {
    const { secretKey } = curveKeyPair()
    const raw = Buffer.from(z85.decode(secretKey))
    const pool = await sharedPoolDuring(() => normalizeCurveKey(secretKey, "secret key"))
    expect(pool.includes(raw)).toBe(false)
  })

  it("loadCertificate reads a secret certificate file and its key outside the pool", async () => {
    const { secretFile } = await createCertificates(directory, "server")
    const text = await readFile(secretFile)
    const { secretKey } = await loadCertificate(secretFile)
    const needles = [Buffer.from(secretKey!, "latin1"), Buffer.from(z85.decode(secretKey!)), text.subarray(0, 64)]
    const pool = await sharedPoolDuring(() => loadCertificate(secretFile))
    for (const needle of needles) expect(pool.includes(needle)).toBe(false)
  })

  it("createCertificates writes the secret certificate from memory outside the pool", async () => {
    let secretFile = ""
    const pool = await sharedPoolDuring(async () => ({ secretFile } = await createCertificates(directory, "fresh")))
    const { secretKey } = await loadCertificate(secretFile)
    expect(pool.includes(Buffer.from(secretKey!, "latin1"))).toBe(false)
    await writeFile(join(directory, "unused"), "")
  })
})

describe("Buffers handed out own their memory", () => {
  const plainRequest = (): ZapRequest => ({
    version: "1.0",
    requestId: Buffer.from("1"),
    domain: "",
    address: "127.0.0.1",
    identity: Buffer.alloc(0),
    mechanism: "PLAIN",
    credentials: [Buffer.from("admin"), Buffer.from(PASSWORD)],
  })

  it("the [redacted] placeholder of an event", () => {
    expect(REDACTED.toString()).toBe("[redacted]")
    expect(ownsItsMemory(REDACTED)).toBe(true)
    expect(ownsItsMemory(redactRequest(plainRequest()).credentials[1]!)).toBe(true)
  })

  it("the request id of a ZapProtocolError", () => {
    let error: unknown
    try {
      parseZapRequest([Buffer.from("1.0"), Buffer.from("request-7")])
    } catch (thrown) {
      error = thrown
    }
    expect(error).toBeInstanceOf(ZapProtocolError)
    const { requestId } = error as ZapProtocolError
    expect(requestId?.toString()).toBe("request-7")
    expect(ownsItsMemory(requestId!)).toBe(true)
  })

  it("decoded metadata values", () => {
    const values = Object.values(decodeMetadata(encodeMetadata({ "User-Id": "alice", Role: Buffer.from("admin") })))
    expect(values.map(String)).toEqual(["alice", "admin"])
    for (const value of values) expect(ownsItsMemory(value)).toBe(true)
  })
})
