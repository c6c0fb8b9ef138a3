import { spawn } from "node:child_process"
import { describe, expect, it } from "vitest"
import { MemoryCredentialStore } from "@zmq-auth/core"
import { describeCredentialStore } from "@zmq-auth/core/testing"
import { REPOSITORY_ROOT } from "../helpers/run-node.js"

describeCredentialStore(
  "MemoryCredentialStore",
  () => {
    const store = new MemoryCredentialStore()
    return { store, makeUnavailable: () => store.setAvailable(false) }
  },
  { describe, it }
)

/** Runs the kit's node:test fixture with `node --test --expose-gc` and returns its TAP summary counts. */
function runUnderNodeTest(fault?: string): Promise<{ exitCode: number | null; counts: Record<string, number> }> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, CONFORMANCE_FAULT: fault ?? "" }
    const child = spawn(
      process.execPath,
      ["--test", "--expose-gc", "--test-reporter=tap", "test/fixtures/stores/memory-store.node-test.mjs"],
      { cwd: REPOSITORY_ROOT, env }
    )
    let output = ""
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")))
    child.on("error", reject)
    child.on("close", (exitCode) => {
      const counts = Object.fromEntries(
        [...output.matchAll(/^# (\w+) (\d+)$/gm)].map(([, name, count]) => [name!, Number(count)])
      )
      resolve({ exitCode, counts })
    })
  })
}

describe("the conformance kit under node:test", () => {
  it("passes MemoryCredentialStore with the same tests as under vitest, the collection check included", async () => {
    const { exitCode, counts } = await runUnderNodeTest()
    expect(counts.tests).toBeGreaterThanOrEqual(20)
    expect(counts).toMatchObject({ pass: counts.tests, fail: 0, skipped: 0 })
    expect(exitCode).toBe(0)
  })

  it("fails a store that keeps the password Buffers it was given", async () => {
    const { exitCode, counts } = await runUnderNodeTest("retains-password")
    expect(counts.tests).toBeGreaterThanOrEqual(20)
    expect(counts).toMatchObject({ pass: counts.tests! - 1, fail: 1 })
    expect(exitCode).toBe(1)
  })
})
