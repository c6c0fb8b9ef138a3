import { spawn } from "node:child_process"
import { createServer, type Server, type Socket } from "node:net"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { REPOSITORY_ROOT } from "../helpers/run-node.js"

const SCRIPT = fileURLToPath(new URL("../fixtures/limits/stop-at-limit.mjs", import.meta.url))
const DESCRIPTOR_LIMIT = 64

interface LimitRun {
  signal: NodeJS.Signals | null
  exitCode: number | null
  stderr: string
  result: Record<string, unknown> | undefined
}

/** Runs the fixture under `bash -c 'ulimit -n ...; exec node ...'` and parses its JSON line. */
function runAtLimit(adapter: string, limit: "sockets" | "descriptors", port = 0): Promise<LimitRun> {
  const command = `ulimit -n ${DESCRIPTOR_LIMIT}; exec "$0" "$@"`
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", command, process.execPath, SCRIPT, adapter, limit, String(port)], {
      cwd: REPOSITORY_ROOT,
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    child.on("error", reject)
    child.on("close", (exitCode, signal) => {
      let result: Record<string, unknown> | undefined
      try {
        result = JSON.parse(stdout.trim().split("\n").at(-1) ?? "") as Record<string, unknown>
      } catch {
        result = undefined
      }
      resolve({ signal, exitCode, stderr, result })
    })
  })
}

/**
 * What every adapter must do: stop at the limit, start there or fail to with a typed error, and
 * once the resources come back stop, start and decide again; no crash, no unhandled rejection.
 */
function expectStoppedAndRecovered(run: LimitRun, exhausted: RegExp): void {
  expect(run.signal, run.stderr).toBeNull()
  expect(run.exitCode, run.stderr).toBe(0)
  expect(run.result).toMatchObject({
    start: "ok",
    exhausted: expect.stringMatching(exhausted),
    stop: "ok",
    stopAgain: "ok",
    restart: "ok",
    allowed: "handshake",
    denied: "handshake:error:auth",
    finalStop: "ok",
    unhandled: [],
  })
  const atLimit = [run.result!.startAtLimit, ...(run.result!.streamErrors as unknown[])]
  for (const outcome of atLimit) expect(outcome).toMatch(/^ok$|too many open file|EMFILE/i)
}

describe.each(["loop", "thread", "rx"])("the %s adapter at resource limits", (adapter) => {
  let attacker: Server
  const connections = new Set<Socket>()
  let port = 0

  beforeAll(async () => {
    attacker = createServer((socket) => {
      connections.add(socket)
      socket.on("close", () => connections.delete(socket))
      socket.on("error", () => undefined)
    })
    await new Promise<void>((resolve) => attacker.listen(0, "127.0.0.1", resolve))
    port = (attacker.address() as { port: number }).port
  })

  afterAll(async () => {
    for (const socket of connections) socket.destroy()
    await new Promise((resolve) => attacker.close(resolve))
  })

  it("stops with the context at maxSockets, and recovers once sockets are free", async () => {
    expectStoppedAndRecovered(await runAtLimit(adapter, "sockets"), /too many open file/i)
  })

  it("stops with every file descriptor held by idle TCP connections, and recovers once they close", async () => {
    expectStoppedAndRecovered(await runAtLimit(adapter, "descriptors", port), /^EMFILE$/)
  })
})
