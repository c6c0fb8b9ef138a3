import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createCertificates, loadCertificate } from "@zmq-auth/core"
import { runCli } from "../helpers/run-node.js"

describe("zmq-auth list", () => {
  let root: string
  let good: string
  let mixed: string
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
    await createCertificates(mixed, "carol")
    await writeFile(join(mixed, "empty.key"), "")
    await writeFile(join(mixed, "short.key"), 'curve\n    public-key = "tooshort"\n')
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
    const listing = JSON.parse(result.stdout) as { directory: string; certificates: Array<{ file: string }>; errors: Array<{ file: string; reason: string }> }
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

  it("rejects a missing <dir> as a usage error (exit 2)", async () => {
    const result = await runCli(["list"])
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain("missing <dir>")
  })
})
