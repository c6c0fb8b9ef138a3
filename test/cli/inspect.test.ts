import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createCertificates, loadCertificate } from "@zmq-auth/core"
import { runCli } from "../helpers/run-node.js"
import { RAW_CONTROL } from "./spawn-cli.js"

describe("zmq-auth inspect", () => {
  let directory: string
  let publicFile: string
  let secretFile: string
  let publicKey: string
  let secretKey: string

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "zmq-auth-cli-inspect-"))
    ;({ publicFile, secretFile } = await createCertificates(directory, "alice", { name: "Alice", role: "admin" }))
    const certificate = await loadCertificate(secretFile)
    publicKey = certificate.publicKey
    secretKey = certificate.secretKey!
  })
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true })
  })

  it("shows the public key and metadata of a public certificate", async () => {
    const result = await runCli(["inspect", publicFile])
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toContain(publicKey)
    expect(result.stdout).toMatch(/secret key\s+absent/)
    expect(result.stdout).toContain('name = "Alice"')
    expect(result.stdout).toContain('role = "admin"')
  })

  it("says a secret is present without printing it", async () => {
    const result = await runCli(["inspect", secretFile])
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toContain(publicKey)
    expect(result.stdout).toMatch(/secret key\s+present/)
    expect(result.stdout + result.stderr).not.toContain(secretKey)
  })

  it("prints the secret only with --show-secret", async () => {
    const result = await runCli(["inspect", secretFile, "--show-secret"])
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toContain(secretKey)
  })

  it("prints JSON with --json, without the secret unless --show-secret", async () => {
    const hidden = await runCli(["inspect", secretFile, "--json"])
    expect(hidden.exitCode).toBe(0)
    expect(JSON.parse(hidden.stdout)).toEqual({
      file: secretFile,
      publicKey,
      hasSecretKey: true,
      metadata: { name: "Alice", role: "admin" },
    })
    expect(hidden.stdout).not.toContain(secretKey)
    const shown = await runCli(["inspect", secretFile, "--json", "--show-secret"])
    expect(JSON.parse(shown.stdout)).toMatchObject({ publicKey, secretKey, hasSecretKey: true })
    const publicOnly = await runCli(["inspect", publicFile, "--json", "--show-secret"])
    expect(JSON.parse(publicOnly.stdout)).toEqual({
      file: publicFile,
      publicKey,
      hasSecretKey: false,
      metadata: { name: "Alice", role: "admin" },
    })
  })

  it("fails with exit 1, naming the file, for a file without a public key", async () => {
    const bad = join(directory, "bad.key")
    await writeFile(bad, 'metadata\n    name = "nobody"\n')
    const result = await runCli(["inspect", bad])
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toContain(bad)
    expect(result.stderr).toContain("no curve public-key")
    expect(result.stderr).not.toMatch(/\n\s+at /)
  })

  it("does not print a malformed secret key in its error", async () => {
    const bad = join(directory, "bad-secret.key_secret")
    const malformed = "ThisIsNotAZ85KeyButLooksSecret"
    await writeFile(bad, `curve\n    public-key = "${publicKey}"\n    secret-key = "${malformed}"\n`)
    const result = await runCli(["inspect", bad, "--show-secret"])
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toContain("malformed secret-key")
    expect(result.stderr).not.toContain(malformed)
  })

  it("fails with exit 1 for a missing file, with the stack trace only under --debug", async () => {
    const missing = join(directory, "missing.key")
    const plain = await runCli(["inspect", missing])
    expect(plain.exitCode).toBe(1)
    expect(plain.stderr).toContain(missing)
    expect(plain.stderr).not.toMatch(/\n\s+at /)
    const debug = await runCli(["inspect", missing, "--debug"])
    expect(debug.exitCode).toBe(1)
    expect(debug.stderr).toMatch(/\n\s+at /)
  })

  it("escapes control characters of the file name and metadata, on stdout and in errors", async () => {
    const hostile = join(directory, "evil\x1b]0;pwned\x07.key")
    const metadata = '    \x1b[2J = "x"\n    note = "red\x1b[31m csi\u009b2J del\x7f"\n'
    await writeFile(hostile, `metadata\n${metadata}curve\n    public-key = "${publicKey}"\n`)
    const shown = await runCli(["inspect", hostile])
    expect(shown.exitCode).toBe(0)
    expect(shown.stdout).not.toMatch(RAW_CONTROL)
    expect(shown.stdout).toContain("evil\\u001b]0;pwned\\u0007.key")
    expect(shown.stdout).toContain('note = "red\\u001b[31m csi\\u009b2J del\\u007f"')
    const missing = await runCli(["inspect", join(directory, "gone\x1b[2J.key")])
    expect(missing.exitCode).toBe(1)
    expect(missing.stderr).toContain("gone\\u001b[2J.key")
    expect(missing.stderr).not.toMatch(RAW_CONTROL)
  })

  it("rejects a missing <file> as a usage error (exit 2)", async () => {
    const result = await runCli(["inspect"])
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain("missing <file>")
  })
})
