import { mkdtemp, readdir, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runNode, type ProcessResult } from "../helpers/run-node.js"

const DEMO = "build/examples/demo.js"

describe("npm run demo", () => {
  let temporary: string
  let result: ProcessResult

  beforeAll(async () => {
    temporary = await mkdtemp(join(tmpdir(), "zmq-auth-demo-test-"))
    const args = ["--clients", "3", "--bad-clients", "2", "--unknown-clients", "1", "--messages", "4"]
    result = await runNode(DEMO, args, { env: { ...process.env, TMPDIR: temporary } })
  })
  afterAll(async () => {
    await rm(temporary, { recursive: true, force: true })
  })

  it("exits 0", () => {
    expect(result.stderr).toBe("")
    expect(result.exitCode).toBe(0)
  })

  it("prints one ZAP request and decision per subscriber that reached ZAP", () => {
    const requests = result.stdout.split("\n").filter((line) => line.startsWith("-> ZAP 1.0 "))
    expect(requests).toHaveLength(4)
    for (const request of requests) {
      expect(request).toMatch(/ id 0x[0-9a-f]+ domain "demo" address 127\.0\.0\.1 identity \S+ CURVE key \S{40} /)
    }
    expect(result.stdout.match(/^ {3}<- 200 OK/gm)).toHaveLength(3)
    expect(result.stdout.match(/^ {3}<- 400 Unknown key/gm)).toHaveLength(1)
    expect(result.stdout).not.toMatch(/-> ZAP .*\(bad-\d\)/)
  })

  it("summarises who connected, who was denied and why, and messages per subscriber", () => {
    expect(result.stdout).toContain("3 connected; 1 denied by ZAP (400 Unknown key); 2 failed before ZAP")
    for (const name of ["good-1", "good-2", "good-3"]) {
      const row = new RegExp(
        `^  ${name}\\s+right\\s+yes\\s+connected\\s+200 OK\\s+(\\d+) \\(#(\\d+)-#(\\d+)\\)$`,
        "m"
      ).exec(result.stdout)
      expect(row, name).not.toBeNull()
      const [, received, first, last] = row!.map(Number)
      expect(received).toBeGreaterThanOrEqual(4)
      expect(last! - first! + 1).toBe(received)
    }
    expect(result.stdout).toMatch(/^ {2}bad-1\s+wrong\s+yes\s+failed: .+\s+no request\s+0$/m)
    expect(result.stdout).toMatch(/^ {2}unknown-1\s+right\s+no\s+denied \(status 400\)\s+400 Unknown key\s+0$/m)
    expect(result.stdout).toMatch(/publisher socket events: .*2 protocol errors \(ERR_ZMTP_CRYPTOGRAPHIC\)/)
  })

  it("removes its temporary files", async () => {
    expect(await readdir(temporary)).toEqual([])
  })

  it("runs with the default counts: 5 good, 2 bad, 2 unknown subscribers", async () => {
    const defaults = await runNode(DEMO, [])
    expect(defaults.exitCode).toBe(0)
    expect(defaults.stdout).toContain("5 connected; 2 denied by ZAP (400 Unknown key); 2 failed before ZAP")
  })

  it.each(["thread", "rx"])("runs with --adapter %s", async (adapter) => {
    const run = await runNode(DEMO, [
      "--adapter",
      adapter,
      "--clients",
      "2",
      "--bad-clients",
      "1",
      "--unknown-clients",
      "1",
      "--messages",
      "3",
    ])
    expect(run.stderr).toBe("")
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toContain(`served by the ${adapter} adapter`)
    expect(run.stdout).toContain("2 connected; 1 denied by ZAP (400 Unknown key); 1 failed before ZAP")
  })

  it.each([
    ["an unknown adapter", ["--adapter", "carrier-pigeon"], "--adapter must be one of loop, thread, rx"],
    ["a count that is not a number", ["--clients", "many"], "--clients must be a whole number"],
    ["an unknown option", ["--verbose"], "--verbose"],
  ])("rejects %s with exit 2 and the usage", async (_, args, message) => {
    const rejected = await runNode(DEMO, args)
    expect(rejected.exitCode).toBe(2)
    expect(rejected.stderr).toContain(message)
    expect(rejected.stderr).toContain("Usage: npm run demo")
  })
})

describe("README quick starts", () => {
  it.each(["quick-start-plain", "quick-start-curve"])("%s exits 0 after one request and reply", async (name) => {
    const run = await runNode(`build/examples/${name}.js`, [])
    expect(run.stderr).toBe("")
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toMatch(/^(PLAIN|CURVE) 127\.0\.0\.1 200 OK$/m)
    expect(run.stdout).toContain('client received "welcome"')
  })
})
