import { createServer } from "node:net"
import { describe, expect, it } from "vitest"
import { runNode, type ProcessResult } from "../helpers/run-node.js"

/** A TCP port that was free a moment ago (the example binds it for its Prometheus endpoint). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/**
 * Runs the example with `--once` on a free port, again (twice at most) when another test's process
 * took that port before the example could bind it.
 */
async function runExample(): Promise<ProcessResult> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort()
    const result = await runNode("build/examples/metrics.js", ["--once"], {
      env: { ...process.env, METRICS_PORT: String(port) },
    })
    if (attempt < 3 && result.exitCode !== 0 && result.stderr.includes("EADDRINUSE")) continue
    return result
  }
}

describe("examples/metrics.ts", () => {
  it("serves Prometheus metrics of its real handshakes, scraped over HTTP", async () => {
    const result = await runExample()
    expect(result.exitCode, result.stderr).toBe(0)
    expect(result.stdout).toContain("5 clients allowed, 3 denied")
    const scope = 'otel_scope_name="@zmq-auth/core",otel_scope_version="0.1.0"'
    for (const series of [
      `zmq_auth_decisions_total{mechanism="PLAIN",status_code="200",domain="app",${scope}} 3`,
      `zmq_auth_decisions_total{mechanism="PLAIN",status_code="400",domain="app",${scope}} 2`,
      `zmq_auth_decisions_total{mechanism="CURVE",status_code="200",domain="api",${scope}} 2`,
      `zmq_auth_decisions_total{mechanism="CURVE",status_code="400",domain="api",${scope}} 1`,
      `zmq_auth_decision_duration_count{mechanism="CURVE",status_code="400",domain="api",${scope}} 1`,
      `zmq_auth_decisions_in_flight{${scope}} 0`,
    ]) {
      expect(result.stdout.split("\n")).toContain(series)
    }
  })
})
