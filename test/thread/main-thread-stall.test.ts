import { fileURLToPath } from "node:url"
import { afterEach, describe, expect, it } from "vitest"
import type { AdapterUnderTest, ServedEngine } from "../helpers/adapter.js"
import { loopAdapter } from "../helpers/loop-adapter.js"
import { startServer, type TestServer } from "../helpers/sockets.js"
import { threadAdapter } from "../helpers/thread-adapter.js"
import { spawnLines } from "./child-lines.js"

const PYTHON = "/usr/bin/python3"
const CLIENT = fileURLToPath(new URL("../fixtures/thread/plain-client.py", import.meta.url))
const BUSY_MS = 1500

interface ClientReport {
  go: number
  ended: number
  outcome: string
}

/** Runs `first`, then keeps this thread busy for `ms`, as a CPU-heavy request handler would. */
function blockMainThread(ms: number, first: () => void): { started: number; ended: number } {
  const started = Date.now()
  first()
  while (Date.now() - started < ms) {
    // busy: no event of this thread's loop runs meanwhile
  }
  return { started, ended: Date.now() }
}

/**
 * A PLAIN client in a separate process handshakes while this (main) thread is blocked.
 * Returns when its handshake ended compared with when the main thread was free again.
 */
async function handshakeDuringBusyLoop(adapter: AdapterUnderTest): Promise<{
  report: ClientReport
  busy: { started: number; ended: number }
  served: ServedEngine
  server: TestServer
}> {
  const served = await adapter.serve()
  await served.engine.configurePlain("*", { admin: "secret" })
  const server = await startServer({ mechanism: "PLAIN", domain: "stall" })
  const client = spawnLines(PYTHON, [CLIENT, server.endpoint, "admin", "secret"])
  try {
    expect(await client.nextLine()).toBe("ready")
    const busy = blockMainThread(BUSY_MS, () => client.process.stdin.write("go\n"))
    const report = JSON.parse(await client.nextLine()) as ClientReport
    expect(await client.exited()).toBe(0)
    return { report, busy, served, server }
  } catch (error) {
    client.process.kill()
    server.close()
    await served.stop()
    throw error
  }
}

describe("a busy main thread", () => {
  const cleanups: Array<() => Promise<void> | void> = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })

  it("does not stall handshakes decided on the worker thread", async () => {
    const { report, busy, served, server } = await handshakeDuringBusyLoop(threadAdapter)
    cleanups.push(
      () => served.stop(),
      () => server.close()
    )
    expect(report.outcome).toBe("handshake")
    expect(report.go).toBeGreaterThanOrEqual(busy.started - 1)
    expect(report.ended).toBeLessThan(busy.ended)
    const decision = await served.nextDecision()
    expect(decision.reply).toMatchObject({ statusCode: 200, userId: "admin" })
    expect(Buffer.isBuffer(decision.request.requestId)).toBe(true)
  })

  it("stalls the same handshake when the handler shares the main thread (control)", async () => {
    const { report, busy, served, server } = await handshakeDuringBusyLoop(loopAdapter)
    cleanups.push(
      () => served.stop(),
      () => server.close()
    )
    expect(report.outcome).toBe("handshake")
    expect(report.go).toBeLessThan(busy.ended)
    expect(report.ended).toBeGreaterThanOrEqual(busy.ended - 5)
  })
})
