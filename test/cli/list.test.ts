import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createCertificates, loadCertificate } from "@zmq-auth/core"
import { runCli } from "../helpers/run-node.js"
import { CLI_SCRIPT, RAW_CONTROL, runCliClosingStdoutEarly, runProgram } from "./spawn-cli.js"

/** Files in the large directory: far more than the file handles the CLI gets in the test below. */
const LARGE_COUNT = 1000

describe("zmq-auth list", () => {
  let root: string
  let good: string
  let mixed: string
  let large: string
  const keys: Record<string, string> = {}
  let secretKey: string

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "zmq-auth-cli-list-"))
    good = join(root, "good")
    mixed = join(root, "mixed")
    await mkdir(good)
    await mkdir(mixed)
    for (const name of ["alice", "bob"]) {
      const { publicFile, secretFile } = await createCertificates(good, name, { name, team: "ops" })
      keys[name] = (await loadCertificate(publicFile)).publicKey
      if (name === "alice") secretKey = (await loadCertificate(secretFile)).secretKey!
    }
    // Hidden files are skipped, as configureCurve skips them.
    await copyFile(join(good, "alice.key"), join(good, ".retired.key"))
    await createCertificates(mixed, "carol")
    await writeFile(join(mixed, "empty.key"), "")
    await writeFile(join(mixed, "short.key"), 'curve\n    public-key = "tooshort"\n')
    // Copies of one certificate with a long metadata value: about 400 KiB of listing.
    large = join(root, "large")
    await mkdir(large)
    const { publicFile } = await createCertificates(root, "large-seed", { note: "n".repeat(300) })
    const text = await readFile(publicFile)
    for (let index = 0; index < LARGE_COUNT; index++)
      await writeFile(join(large, `cert-${String(index).padStart(4, "0")}.key`), text)
  })
  afterAll(async () => {
    await rm(root, { recursive: true, force: true })
  })

  it("lists each *.key file with its public key and metadata, never a secret", async () => {
    const result = await runCli(["list", good])
    expect(result.exitCode).toBe(0)
    const lines = result.stdout.split("\n")
    expect(lines.find((line) => line.startsWith("alice.key "))).toContain(keys.alice)
    expect(lines.find((line) => line.startsWith("bob.key "))).toContain(keys.bob)
    expect(result.stdout).toContain('name="alice", team="ops"')
    expect(result.stdout).not.toContain("key_secret")
    expect(result.stdout).not.toContain(".retired.key")
    expect(result.stdout).not.toContain(secretKey)
    expect(result.stdout).toContain("2 certificates")
  })

  it("lists bad files with the reason and exits 1", async () => {
    const result = await runCli(["list", mixed])
    expect(result.exitCode).toBe(1)
    expect(result.stdout).toMatch(/^carol\.key\s+\S{40}/m)
    expect(result.stdout).toMatch(/^empty\.key\s+error: no curve public-key/m)
    expect(result.stdout).toMatch(/^short\.key\s+error: malformed public-key/m)
    expect(result.stdout).toContain("1 certificate, 2 bad files")
  })

  it("flags a *.key file that holds a secret key, without printing the secret", async () => {
    const leaky = join(root, "leaky")
    await mkdir(leaky)
    const { secretFile } = await createCertificates(leaky, "shared")
    const { secretKey: leaked } = await loadCertificate(secretFile)
    await rm(join(leaky, "shared.key"))
    await copyFile(secretFile, join(leaky, "shared.key"))
    const result = await runCli(["list", leaky])
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toMatch(/^shared\.key .*\[holds a secret key\]$/m)
    expect(result.stdout).not.toContain(leaked!)
  })

  it("prints JSON with --json", async () => {
    const result = await runCli(["list", mixed, "--json"])
    expect(result.exitCode).toBe(1)
    const listing = JSON.parse(result.stdout) as {
      directory: string
      certificates: Array<{ file: string }>
      errors: Array<{ file: string; reason: string }>
    }
    expect(listing.directory).toBe(mixed)
    expect(listing.certificates.map((certificate) => certificate.file)).toEqual(["carol.key"])
    expect(listing.errors.map((error) => error.file)).toEqual(["empty.key", "short.key"])
    expect(listing.errors[0]!.reason).toContain("no curve public-key")
    const clean = await runCli(["list", good, "--json"])
    expect(clean.exitCode).toBe(0)
    expect(JSON.parse(clean.stdout)).toMatchObject({
      certificates: [
        { file: "alice.key", publicKey: keys.alice, hasSecretKey: false, metadata: { name: "alice", team: "ops" } },
        { file: "bob.key", publicKey: keys.bob, hasSecretKey: false, metadata: { name: "bob", team: "ops" } },
      ],
      errors: [],
    })
  })

  it("says so for a directory without certificates", async () => {
    const empty = join(root, "empty")
    await mkdir(empty)
    const result = await runCli(["list", empty])
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toContain("no *.key certificate files")
  })

  it("fails with exit 1, naming the directory, when it cannot be listed", async () => {
    const missing = join(root, "missing")
    const result = await runCli(["list", missing])
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toContain(missing)
    expect(result.stderr).not.toMatch(/\n\s+at /)
  })

  it("lists a directory of more files than it may open at once (ulimit -n 128)", async () => {
    const result = await runProgram("/bin/bash", [
      "-c",
      'ulimit -n 128 && exec "$0" "$@"',
      process.execPath,
      CLI_SCRIPT,
      "list",
      large,
    ])
    expect(result.stderr).toBe("")
    expect(result.stdout).not.toContain("error:")
    expect(result.stdout).toContain(`\n${LARGE_COUNT} certificates\n`)
    expect(result.exitCode).toBe(0)
  })

  it("exits 0 without a stack trace when the reader stops early (zmq-auth list <dir> | head -1)", async () => {
    const result = await runCliClosingStdoutEarly(["list", large])
    expect(result.stdout).toMatch(/^FILE +PUBLIC KEY/)
    expect(result.stderr).toBe("")
    expect(result.exitCode).toBe(0)
  })

  it("escapes control characters of file names and metadata, which could drive the terminal", async () => {
    const hostile = join(root, "hostile")
    await mkdir(hostile)
    const { publicKey } = await loadCertificate(join(good, "alice.key"))
    const metadata = '    \x1b]0;title\x07 = "x"\n    note = "red\x1b[31m csi\u009b2J del\x7f"\n'
    await writeFile(
      join(hostile, "evil\x1b]0;pwned\x07\x1b[2J.key"),
      `metadata\n${metadata}curve\n    public-key = "${publicKey}"\n`
    )
    const result = await runCli(["list", hostile])
    expect(result.exitCode).toBe(0)
    expect(result.stdout).not.toMatch(RAW_CONTROL)
    expect(result.stdout).toContain("evil\\u001b]0;pwned\\u0007\\u001b[2J.key")
    expect(result.stdout).toContain('note="red\\u001b[31m csi\\u009b2J del\\u007f"')
  })

  it("rejects a missing <dir> as a usage error (exit 2)", async () => {
    const result = await runCli(["list"])
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain("missing <dir>")
  })
})
