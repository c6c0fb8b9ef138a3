import { describe, expect, it } from "vitest"
import { runNode } from "./run-node.js"

describe("runNode", () => {
  it("kills a child that runs past its timeout and rejects", async () => {
    const run = runNode("-e", ["setInterval(() => undefined, 1000)"], { timeoutMs: 1_000 })
    await expect(run).rejects.toThrow(/still running after 1000 ms: killed/)
  })

  it("resolves with the exit code and output of a child that ends in time", async () => {
    const result = await runNode("-e", ['process.stdout.write("done"); process.exitCode = 3'])
    expect([result.exitCode, result.stdout]).toEqual([3, "done"])
  })
})
