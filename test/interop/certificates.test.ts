import { copyFile, mkdir, mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createCertificates, loadCertificate, loadCertificates, type CertificateError } from "@zmq-auth/core"
import { compileCzmq } from "../helpers/czmq.js"
import { requirePyzmq, runPythonJson } from "../helpers/python.js"

// Certificate files cross the three implementations: pyzmq (`zmq.auth.certs`), CZMQ (`zcert`)
// and ours. Nothing here skips: missing tools fail with what to install.

const PY_CREATE = `
import json, sys, zmq.auth
metadata = json.loads(sys.argv[3])
public_file, secret_file = zmq.auth.create_certificates(sys.argv[1], sys.argv[2], metadata=metadata or None)
public, secret = zmq.auth.load_certificate(secret_file)
print(json.dumps({
    "public": public.decode(),
    "secret": secret.decode(),
    "publicFile": public_file,
    "secretFile": secret_file,
}))
`

const PY_LOAD = `
import json, sys, zmq.auth
public_only = zmq.auth.load_certificate(sys.argv[1])
full = zmq.auth.load_certificate(sys.argv[2])
directory = zmq.auth.load_certificates(sys.argv[3])
print(json.dumps({
    "publicFile": [public_only[0].decode(), None if public_only[1] is None else public_only[1].decode()],
    "secretFile": [full[0].decode(), full[1].decode()],
    "directory": sorted(key.decode() for key in directory),
}))
`

interface CzmqCertificate {
  publicKey: string
  secretKey: string
  metadata: Record<string, string>
}

function parseCzmqOutput(output: string): CzmqCertificate {
  const certificate: CzmqCertificate = { publicKey: "", secretKey: "", metadata: {} }
  for (const line of output.split("\n")) {
    const [kind, name = "", value = ""] = line.split("\t")
    if (kind === "public") certificate.publicKey = name
    if (kind === "secret") certificate.secretKey = name
    if (kind === "meta") certificate.metadata[name] = value
  }
  return certificate
}

/** A Z85 CZMQ prints for the secret key of a public-only certificate (32 zero bytes). */
const ZERO_KEY = "0".repeat(40)

describe("certificate files shared with pyzmq and CZMQ", () => {
  let base = ""
  let czmq: (...args: string[]) => Promise<string>

  beforeAll(async () => {
    requirePyzmq()
    czmq = await compileCzmq(await readFile(new URL("../fixtures/interop/czmq-cert-tool.c", import.meta.url), "utf8"))
    base = await mkdtemp(join(tmpdir(), "zmq-auth-certs-interop-"))
  })
  afterAll(async () => {
    await rm(base, { recursive: true, force: true })
  })

  async function freshDir(name: string): Promise<string> {
    const dir = join(base, name)
    await mkdir(dir)
    return dir
  }

  describe("written by pyzmq zmq.auth.create_certificates", () => {
    it("loads both files with loadCertificate, keys equal to pyzmq's load_certificate", async () => {
      const dir = await freshDir("pyzmq-plain")
      const py = await runPythonJson<{ public: string; secret: string; publicFile: string; secretFile: string }>(
        PY_CREATE,
        [dir, "client", "{}"]
      )
      expect(await loadCertificate(py.publicFile)).toEqual({ publicKey: py.public, secretKey: null, metadata: {} })
      expect(await loadCertificate(py.secretFile)).toEqual({ publicKey: py.public, secretKey: py.secret, metadata: {} })
      expect([...(await loadCertificates(dir)).keys()]).toEqual([py.public])
    })

    it("reads the metadata pyzmq writes (into the secret file, values unquoted)", async () => {
      const dir = await freshDir("pyzmq-metadata")
      const metadata = { role: "worker", email: "ops@example.org", city: "Zürich", motto: "two words" }
      const py = await runPythonJson<{ public: string; secret: string; publicFile: string; secretFile: string }>(
        PY_CREATE,
        [dir, "client", JSON.stringify(metadata)]
      )
      expect(await loadCertificate(py.secretFile)).toEqual({ publicKey: py.public, secretKey: py.secret, metadata })
      // pyzmq puts no metadata in the public file.
      expect((await loadCertificate(py.publicFile)).metadata).toEqual({})
    })
  })

  describe("written by CZMQ zcert_save", () => {
    it("loads both files, metadata included, and the directory maps the key to its metadata", async () => {
      const dir = await freshDir("czmq")
      const metadata = {
        role: "worker",
        email: "ops@example.org",
        motto: "it's two words",
        city: "Zürich",
        tag: "a # b",
      }
      const saved = parseCzmqOutput(await czmq("save", join(dir, "peer.key"), ...Object.entries(metadata).flat()))
      expect(saved.publicKey).toHaveLength(40)
      expect(await loadCertificate(join(dir, "peer.key"))).toEqual({
        publicKey: saved.publicKey,
        secretKey: null,
        metadata,
      })
      expect(await loadCertificate(join(dir, "peer.key_secret"))).toEqual({
        publicKey: saved.publicKey,
        secretKey: saved.secretKey,
        metadata,
      })
      const errors: CertificateError[] = []
      const loaded = await loadCertificates(dir, { onError: (error) => errors.push(error) })
      expect(errors).toEqual([])
      expect(Object.fromEntries(loaded)).toEqual({ [saved.publicKey]: metadata })
    })
  })

  describe("written by createCertificates", () => {
    const metadata = {
      role: "worker",
      email: "ops@example.org",
      motto: "it's two words",
      quote: 'say "hi"',
      tag: "a # b",
      city: "Zürich",
    }
    let dir = ""
    let files: { publicFile: string; secretFile: string }
    let ours: Awaited<ReturnType<typeof loadCertificate>>

    beforeAll(async () => {
      dir = await freshDir("ours")
      files = await createCertificates(dir, "server", metadata)
      ours = await loadCertificate(files.secretFile)
    })

    it("round-trips through loadCertificate, metadata included", async () => {
      expect(ours.metadata).toEqual(metadata)
      expect(await loadCertificate(files.publicFile)).toEqual({ publicKey: ours.publicKey, secretKey: null, metadata })
    })

    it("loads in pyzmq: load_certificate and load_certificates", async () => {
      const py = await runPythonJson<{
        publicFile: [string, string | null]
        secretFile: [string, string]
        directory: string[]
      }>(PY_LOAD, [files.publicFile, files.secretFile, dir])
      expect(py.publicFile).toEqual([ours.publicKey, null])
      expect(py.secretFile).toEqual([ours.publicKey, ours.secretKey])
      expect(py.directory).toEqual([ours.publicKey])
    })

    it("loads in CZMQ: zcert_load and zcert_meta on both files", async () => {
      // zcert_load("x.key") reads "x.key_secret" when it exists: check the public file alone.
      const alone = join(await freshDir("ours-public-only"), "server.key")
      await copyFile(files.publicFile, alone)
      const publicOnly = parseCzmqOutput(await czmq("load", alone))
      expect(publicOnly).toEqual({ publicKey: ours.publicKey, secretKey: ZERO_KEY, metadata })
      const full = parseCzmqOutput(await czmq("load", files.secretFile))
      expect(full).toEqual({ publicKey: ours.publicKey, secretKey: ours.secretKey, metadata })
    })

    it("is found by CZMQ's zcertstore in its directory", async () => {
      expect((await czmq("lookup", dir, ours.publicKey)).trim()).toBe("found")
      expect((await czmq("lookup", dir, "0".repeat(40))).trim()).toBe("missing")
    })
  })
})
