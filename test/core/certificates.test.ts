import { execFileSync } from "node:child_process"
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import {
  Authenticator,
  CertificateError,
  createCertificates,
  loadCertificate,
  loadCertificates,
  readCertificateDirectory,
  z85,
} from "@zmq-auth/core"

describe("certificate files", () => {
  let dir = ""
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "zmq-auth-certs-"))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it("creates <name>.key and <name>.key_secret that load back with metadata", async () => {
    const { publicFile, secretFile } = await createCertificates(dir, "server", {
      name: "Server One",
      email: "ops@example.com",
    })
    expect(publicFile).toBe(join(dir, "server.key"))
    expect(secretFile).toBe(join(dir, "server.key_secret"))
    const publicCert = await loadCertificate(publicFile)
    const secretCert = await loadCertificate(secretFile)
    expect(publicCert.secretKey).toBeNull()
    expect(publicCert.publicKey).toHaveLength(40)
    expect(secretCert.publicKey).toBe(publicCert.publicKey)
    expect(secretCert.secretKey).toHaveLength(40)
    expect(publicCert.metadata).toEqual({ name: "Server One", email: "ops@example.com" })
    expect(await readFile(publicFile, "utf8")).not.toContain("secret-key")
  })

  it("writes the secret file with mode 0600", async () => {
    const { secretFile } = await createCertificates(dir, "client")
    expect((await stat(secretFile)).mode & 0o777).toBe(0o600)
  })

  it("replaces existing files whole: a world-readable secret is 0600 after, no temporary files left", async () => {
    await writeFile(join(dir, "client.key_secret"), "old", { mode: 0o644 })
    await writeFile(join(dir, "client.key"), "old", { mode: 0o644 })
    const { publicFile, secretFile } = await createCertificates(dir, "client")
    expect((await stat(secretFile)).mode & 0o777).toBe(0o600)
    expect((await stat(publicFile)).mode & 0o777).toBe(0o644)
    expect((await loadCertificate(secretFile)).secretKey).toHaveLength(40)
    expect((await readdir(dir)).sort()).toEqual(["client.key", "client.key_secret"])
  })

  it("names the file it cannot write, leaves no temporary file, never a public key without its secret", async () => {
    // The secret cannot be placed: nothing changes, the old public file stays.
    await writeFile(join(dir, "taken.key"), "old public")
    await mkdir(join(dir, "taken.key_secret"))
    await expect(createCertificates(dir, "taken")).rejects.toMatchObject({
      code: "ERR_CERTIFICATE",
      file: join(dir, "taken.key_secret"),
    })
    expect((await readdir(dir)).sort()).toEqual(["taken.key", "taken.key_secret"])
    expect(await readFile(join(dir, "taken.key"), "utf8")).toBe("old public")
    // The public file cannot be placed: the error names it; the secret file (which holds both keys) was placed first.
    await mkdir(join(dir, "other.key"))
    await expect(createCertificates(dir, "other")).rejects.toMatchObject({
      code: "ERR_CERTIFICATE",
      file: join(dir, "other.key"),
    })
    expect((await readdir(dir)).filter((name) => name.startsWith(".")).length).toBe(0)
  })

  it("reads the ZPL layouts pyzmq and CZMQ write, quoted and bare", async () => {
    const file = join(dir, "czmq.key")
    await writeFile(
      file,
      [
        "#   ****  Generated on 2016-01-01 by CZMQ  ****",
        "metadata",
        "    name = 'single quoted'",
        "    bare = value # with a comment",
        "curve",
        '    public-key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"',
        "",
      ].join("\n")
    )
    expect(await loadCertificate(file)).toEqual({
      publicKey: "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7",
      secretKey: null,
      metadata: { name: "single quoted", bare: "value" },
    })
  })

  it("reads only own properties, keeps a metadata name __proto__ as data, skips control characters", async () => {
    const { publicKey } = await loadCertificate((await createCertificates(dir, "real")).publicFile)
    const other = z85.encode(Buffer.alloc(32, 7))
    const file = join(dir, "tricky.key")
    await writeFile(
      file,
      [
        "metadata",
        '    __proto__ = "polluted"',
        '    ti\u001b]0;tle = "escape"',
        '    role = "ok"',
        "curve",
        `    public-key = "${publicKey}"`,
        "    extra",
        `        public-key = "${other}"`,
        "",
      ].join("\n")
    )
    const certificate = await loadCertificate(file)
    // The nested subsection's key does not replace the section's own.
    expect(certificate.publicKey).toBe(publicKey)
    expect(Object.keys(certificate.metadata).sort()).toEqual(["__proto__", "role"])
    expect(Object.getPrototypeOf(certificate.metadata)).toBe(Object.prototype)
    expect(Object.getOwnPropertyDescriptor(certificate.metadata, "__proto__")?.value).toBe("polluted")
  })

  it("reads properties indented with tabs or four spaces alike", async () => {
    const { secretFile } = await createCertificates(dir, "source")
    const { publicKey, secretKey } = await loadCertificate(secretFile)
    const file = join(dir, "mixed.key_secret")
    await writeFile(file, `curve\n\tpublic-key = "${publicKey}"\n    secret-key = "${secretKey}"\n`)
    expect(await loadCertificate(file)).toMatchObject({ publicKey, secretKey })
  })

  it("reads CRLF files, Unicode whitespace, and skips lines that are not name = value", async () => {
    const publicKey = z85.encode(Buffer.alloc(32, 9))
    const decoy = z85.encode(Buffer.alloc(32, 3))
    const file = join(dir, "windows.key")
    await writeFile(
      file,
      [
        "\t# a comment indented by a tab",
        "metadata\t# a section line with a comment",
        '\u00a0\u00a0\u00a0\u00a0name\u3000=\u00a0"spaced"\u00a0',
        "    broken = value\rwith a carriage return",
        "    =nameless",
        "    no-equals sign",
        '    tight="x"',
        "curve",
        `    public-key="${publicKey}"`,
        `  public-key = "${decoy}"`,
        "",
      ].join("\r\n")
    )
    expect(await loadCertificate(file)).toEqual({
      publicKey,
      secretKey: null,
      metadata: { name: "spaced", tight: "x" },
    })
  })

  it("names the file when it cannot be read", async () => {
    const file = join(dir, "missing.key")
    await expect(loadCertificate(file)).rejects.toSatisfy(
      (error: unknown) => error instanceof CertificateError && error.file === file && error.message.includes(file)
    )
  })

  it("names the file when it has no public key", async () => {
    const file = join(dir, "empty.key")
    await writeFile(file, "metadata\ncurve\n")
    await expect(loadCertificate(file)).rejects.toMatchObject({
      code: "ERR_CERTIFICATE",
      file,
      message: expect.stringContaining("no curve public-key"),
    })
  })

  it("names the file when a key is malformed, without printing a secret", async () => {
    const file = join(dir, "bad.key_secret")
    const badSecret = "x".repeat(39)
    await writeFile(
      file,
      `curve\n    public-key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"\n    secret-key = "${badSecret}"\n`
    )
    await expect(loadCertificate(file)).rejects.toMatchObject({
      file,
      message: expect.stringContaining("malformed secret-key"),
    })
    await expect(loadCertificate(file)).rejects.toSatisfy((error: Error) => !error.message.includes(badSecret))
    await writeFile(join(dir, "short.key"), 'curve\n    public-key = "abc"\n')
    await expect(loadCertificate(join(dir, "short.key"))).rejects.toThrow(/malformed public-key/)
  })

  it("refuses metadata that cannot be written as ZPL", async () => {
    await expect(createCertificates(dir, "x", { "bad name": "v" })).rejects.toBeInstanceOf(CertificateError)
    await expect(createCertificates(dir, "x", { name: "line\nbreak" })).rejects.toThrow(/cannot be written/)
  })

  describe("directories", () => {
    it("loads every *.key public key with its metadata, skipping secrets and other files", async () => {
      const first = await createCertificates(dir, "first", { role: "a" })
      const second = await createCertificates(dir, "second")
      await writeFile(join(dir, "README"), "not a certificate")
      const certificates = await loadCertificates(dir)
      expect([...certificates.keys()].sort()).toEqual(
        [
          (await loadCertificate(first.publicFile)).publicKey,
          (await loadCertificate(second.publicFile)).publicKey,
        ].sort()
      )
      expect(certificates.get((await loadCertificate(first.publicFile)).publicKey)).toEqual({ role: "a" })
    })

    it("skips hidden files such as .a.key, as pyzmq's *.key glob does", async () => {
      const shown = await createCertificates(dir, "shown")
      const hidden = await createCertificates(dir, "hidden")
      await rename(hidden.publicFile, join(dir, ".hidden.key"))
      await writeFile(join(dir, ".broken.key"), "not a certificate")
      const { certificates, errors } = await readCertificateDirectory(dir)
      expect([...certificates.keys()]).toEqual([(await loadCertificate(shown.publicFile)).publicKey])
      expect(errors).toEqual([])
      expect((await loadCertificates(dir)).size).toBe(1)
    })

    it("throws the first bad file unless onError is given, then loads the good ones", async () => {
      await createCertificates(dir, "good")
      await writeFile(join(dir, "empty.key"), "")
      await writeFile(join(dir, "garbage.key"), 'curve\n    public-key = "not-z85"\n')
      await mkdir(join(dir, "folder.key"))
      await expect(loadCertificates(dir)).rejects.toMatchObject({ file: join(dir, "empty.key") })
      const errors: CertificateError[] = []
      const certificates = await loadCertificates(dir, { onError: (error) => errors.push(error) })
      expect(certificates.size).toBe(1)
      expect(errors.map((error) => error.file).sort()).toEqual([
        join(dir, "empty.key"),
        join(dir, "folder.key"),
        join(dir, "garbage.key"),
      ])
    })

    it("refuses FIFOs unread and files over 64 KiB after one byte more, and still loads the good ones", async () => {
      await createCertificates(dir, "good")
      // A FIFO that was opened would block one of libuv's four file-I/O threads forever: with
      // four of them the read would never finish (nor would any other file read of the process).
      const fifos = ["a.key", "b.key", "c.key", "d.key", "e.key"].map((name) => join(dir, name))
      for (const fifo of fifos) execFileSync("mkfifo", [fifo])
      await writeFile(join(dir, "huge.key"), Buffer.alloc(65 * 1024, 0x61))
      const { certificates, errors } = await readCertificateDirectory(dir)
      expect(certificates.size).toBe(1)
      expect(errors.map((error) => [error.file, error.message.replace(/^.*: /, "")]).sort()).toEqual(
        [
          ...fifos.map((fifo) => [fifo, "not a regular file"]),
          [join(dir, "huge.key"), "larger than 65536 bytes, not a certificate"],
        ].sort()
      )
      await expect(loadCertificate(fifos[0]!)).rejects.toMatchObject({ code: "ERR_CERTIFICATE", file: fifos[0] })
    })

    it("names a directory that cannot be listed", async () => {
      const missing = join(dir, "nope")
      await expect(readCertificateDirectory(missing)).rejects.toMatchObject({ code: "ERR_CERTIFICATE", file: missing })
    })

    it("configureCurve reports bad files as events, keeps the old policy if the directory is unreadable", async () => {
      const { secretFile } = await createCertificates(dir, "good")
      await writeFile(join(dir, "bad.key"), "nonsense")
      const engine = new Authenticator()
      const reported: string[] = []
      engine.on("certificate:error", (error) => reported.push(error.file))
      await engine.configureCurve("*", dir)
      expect(reported).toEqual([join(dir, "bad.key")])
      const { publicKey } = await loadCertificate(secretFile)
      const curveRequest = {
        version: "1.0",
        requestId: Buffer.from("1"),
        domain: "d",
        address: "127.0.0.1",
        identity: Buffer.alloc(0),
        mechanism: "CURVE",
        credentials: [z85.decode(publicKey)],
      }
      expect((await engine.authenticate(curveRequest)).statusCode).toBe(200)
      await expect(engine.configureCurve("*", join(dir, "missing"))).rejects.toBeInstanceOf(CertificateError)
      expect((await engine.authenticate(curveRequest)).statusCode).toBe(200)
    })
  })
})
