import { execFile } from "node:child_process"
import { access, mkdtemp, rm, stat, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { loadCertificate } from "@zmq-auth/core"
import { runCli } from "../helpers/run-node.js"

const PYTHON_WITH_ZMQ = "/usr/bin/python3"

async function loadWithPyzmq(file: string): Promise<{ publicKey: string; secretKey: string | null }> {
  const script =
    "import json, sys, zmq.auth\n" +
    "public, secret = zmq.auth.load_certificate(sys.argv[1])\n" +
    "print(json.dumps([public.decode(), secret and secret.decode()]))"
  const { stdout } = await promisify(execFile)(PYTHON_WITH_ZMQ, ["-c", script, file])
  const [publicKey, secretKey] = JSON.parse(stdout) as [string, string | null]
  return { publicKey, secretKey }
}

function printedPublicKey(stdout: string): string {
  const match = /^public key\s+(\S{40})$/m.exec(stdout)
  if (match === null) throw new Error(`no public key in output:\n${stdout}`)
  return match[1]!
}

describe("zmq-auth keygen", () => {
  let directory: string

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), "zmq-auth-cli-keygen-"))
  })
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true })
  })

  it("writes <name>.key and <name>.key_secret (mode 0600) and prints both paths and the public key", async () => {
    const result = await runCli(["keygen", directory, "alice"])
    expect(result.exitCode).toBe(0)
    const publicFile = join(directory, "alice.key")
    const secretFile = join(directory, "alice.key_secret")
    expect(result.stdout).toContain(publicFile)
    expect(result.stdout).toContain(secretFile)
    const publicKey = printedPublicKey(result.stdout)
    expect((await loadCertificate(publicFile)).publicKey).toBe(publicKey)
    const secret = await loadCertificate(secretFile)
    expect(secret.publicKey).toBe(publicKey)
    expect(result.stdout).not.toContain(secret.secretKey!)
    expect((await stat(secretFile)).mode & 0o777).toBe(0o600)
  })

  it("writes files pyzmq loads with the same keys", async () => {
    const result = await runCli(["keygen", directory, "server"])
    expect(result.exitCode).toBe(0)
    const publicKey = printedPublicKey(result.stdout)
    expect(await loadWithPyzmq(join(directory, "server.key"))).toEqual({ publicKey, secretKey: null })
    const fromSecretFile = await loadWithPyzmq(join(directory, "server.key_secret"))
    expect(fromSecretFile.publicKey).toBe(publicKey)
    expect(fromSecretFile.secretKey).toBe((await loadCertificate(join(directory, "server.key_secret"))).secretKey)
  })

  it("stores --meta key=value pairs in both files", async () => {
    const result = await runCli([
      "keygen",
      directory,
      "bob",
      "--meta",
      "name=Bob Smith",
      "--meta",
      "email=bob@example.org",
      "--meta",
      "empty=",
    ])
    expect(result.exitCode).toBe(0)
    const expected = { name: "Bob Smith", email: "bob@example.org", empty: "" }
    expect((await loadCertificate(join(directory, "bob.key"))).metadata).toEqual(expected)
    expect((await loadCertificate(join(directory, "bob.key_secret"))).metadata).toEqual(expected)
  })

  it("creates a missing directory", async () => {
    const nested = join(directory, "nested", "keys")
    expect((await runCli(["keygen", nested, "carol"])).exitCode).toBe(0)
    expect((await loadCertificate(join(nested, "carol.key"))).publicKey).toHaveLength(40)
  })

  it("refuses to replace existing files without --force (exit 1), replaces them with it", async () => {
    const first = printedPublicKey((await runCli(["keygen", directory, "dave"])).stdout)
    const refused = await runCli(["keygen", directory, "dave"])
    expect(refused.exitCode).toBe(1)
    expect(refused.stderr).toContain("already exists")
    expect(refused.stderr).toContain("--force")
    expect((await loadCertificate(join(directory, "dave.key"))).publicKey).toBe(first)
    const replaced = await runCli(["keygen", directory, "dave", "--force"])
    expect(replaced.exitCode).toBe(0)
    expect(printedPublicKey(replaced.stdout)).not.toBe(first)
  })

  it("fails with exit 1 and no stack trace when the directory cannot be written", async () => {
    const file = join(directory, "a-file")
    await writeFile(file, "")
    const result = await runCli(["keygen", file, "eve"])
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toMatch(/^zmq-auth keygen: /)
    expect(result.stderr).not.toMatch(/\n\s+at /)
  })

  it.each([
    ["a line break", "note=line one\nline two"],
    ["both quote kinds", `note=it's "quoted"`],
  ])("rejects a --meta value with %s as a usage error (exit 2) before creating anything", async (_, meta) => {
    const target = join(directory, "new")
    const result = await runCli(["keygen", target, "frank", "--meta", meta])
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain("--meta note: a certificate cannot store a value with a line break")
    expect(result.stderr).toContain("zmq-auth keygen --help")
    await expect(access(target)).rejects.toThrow("ENOENT")
  })

  it.each([
    ["no arguments", ["keygen"], "missing <dir> <name>"],
    ["no name", ["keygen", "dir"], "missing <name>"],
    ["an extra argument", ["keygen", "dir", "name", "extra"], "unexpected argument"],
    ["a name with a directory", ["keygen", "dir", "../name"], "plain file name"],
    ["--meta without =", ["keygen", "dir", "name", "--meta", "novalue"], "--meta"],
    ["--meta with a bad key", ["keygen", "dir", "name", "--meta", "a b=c"], "--meta"],
    ["an unknown option", ["keygen", "dir", "name", "--colour"], "--colour"],
  ])("rejects %s as a usage error (exit 2)", async (_, args, message) => {
    const result = await runCli(args)
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain(message)
    expect(result.stderr).toContain("zmq-auth keygen --help")
    expect(result.stdout).toBe("")
  })
})
