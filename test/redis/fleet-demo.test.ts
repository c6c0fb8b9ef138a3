import { mkdir, mkdtemp, readdir, rm, symlink } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { spawn } from "node:child_process"
import { once } from "node:events"
import { REPOSITORY_ROOT, runNode, type ProcessResult } from "../helpers/run-node.js"

const DEMO = "build/examples/demo.js"
const TIMEOUT_MS = 60_000

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

describe("npm run demo -- --fleet", () => {
  let temporary: string
  let result: ProcessResult

  beforeAll(async () => {
    temporary = await mkdtemp(join(tmpdir(), "zmq-auth-fleet-demo-test-"))
    result = await runNode(DEMO, ["--fleet"], { env: { ...process.env, TMPDIR: temporary }, timeoutMs: TIMEOUT_MS })
  }, TIMEOUT_MS + 5000)
  afterAll(async () => {
    await rm(temporary, { recursive: true, force: true })
  })

  it("exits 0 with nothing on standard error", () => {
    expect(result.stderr).toBe("")
    expect(result.exitCode).toBe(0)
  })

  it("adds and revokes the client with the CLI, each change applied by the three nodes", () => {
    const changes = result.stdout.split("\n").filter((line) => line.startsWith('{"action":'))
    expect(changes.map((line) => JSON.parse(line))).toMatchObject([
      { action: "add-key", changes: 1, fleet: { applied: ["node-1", "node-2", "node-3"], pending: [] } },
      { action: "revoke-key", changes: 1, fleet: { applied: ["node-1", "node-2", "node-3"], pending: [] } },
    ])
  })

  it("summarises each node: connected before the revocation, refused with 400 after, with its times", () => {
    for (const node of ["node-1", "node-2", "node-3"]) {
      const row = new RegExp(
        `^  ${node}\\s+connected\\s+refused \\(400\\)\\s+400 Key revoked\\s+yes` +
          "\\s+([-+][\\d.]+) ms\\s+\\+([\\d.]+) ms$",
        "m"
      ).exec(result.stdout)
      expect(row, node).not.toBeNull()
      expect(Number(row![1])).toBeLessThan(0)
    }
    expect(result.stdout).toContain("3/3 nodes refused the revoked client")
  })

  it("leaves no process running and no temporary file", async () => {
    const pids = [...result.stdout.matchAll(/^(?:redis-server|node-\d) pid (\d+) /gm)].map((match) => Number(match[1]))
    expect(pids).toHaveLength(4)
    expect(pids.filter(isRunning)).toEqual([])
    expect(await readdir(temporary)).toEqual([])
  })

  it("without redis-server on the PATH, says how to get one and exits 2", async () => {
    const bin = join(temporary, "bin")
    await rm(bin, { recursive: true, force: true })
    await mkdir(bin)
    await symlink(process.execPath, join(bin, "node"))
    const run = await runNode(DEMO, ["--fleet"], {
      env: { ...process.env, PATH: bin, TMPDIR: temporary },
      timeoutMs: TIMEOUT_MS,
    })
    await rm(bin, { recursive: true, force: true })
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toContain("apt-get install redis-server")
    expect(run.stderr).toContain("--redis-url")
    expect(run.stdout).not.toMatch(/ pid \d+/)
  })

  it("stopped by SIGTERM once its servers run, leaves no process running and no temporary file", async () => {
    const child = spawn(process.execPath, [DEMO, "--fleet"], {
      cwd: REPOSITORY_ROOT,
      env: { ...process.env, TMPDIR: temporary },
      stdio: ["ignore", "pipe", "inherit"],
    })
    let output = ""
    const serving = new Promise<void>((resolve) =>
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString("utf8")
        if (/^node-3 pid \d+ /m.test(output)) resolve()
      })
    )
    const exited = once(child, "exit")
    await Promise.race([serving, exited])
    child.kill("SIGTERM")
    const [code, signal] = await exited
    const pids = [...output.matchAll(/^(?:redis-server|node-\d) pid (\d+) /gm)].map((match) => Number(match[1]))
    expect({ code, signal, pids: pids.length }).toEqual({ code: 143, signal: null, pids: 4 })
    expect(pids.filter(isRunning)).toEqual([])
    expect(await readdir(temporary)).toEqual([])
  })

  it("rejects --redis-url without --fleet", async () => {
    const run = await runNode(DEMO, ["--redis-url", "redis://127.0.0.1:1"])
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toContain("--redis-url needs --fleet")
  })
})
