import { describe, expect, it } from "vitest"
import { curveKeyPair } from "zeromq"
import { AuthenticatorError, MemoryCredentialStore } from "@zmq-auth/core"

/** What `call` threw or rejected with, or `undefined` when it settled normally. */
async function failureOf(call: () => unknown): Promise<unknown> {
  try {
    await call()
    return undefined
  } catch (error) {
    return error
  }
}

describe("MemoryCredentialStore argument validation", () => {
  it("rejects constructor options that are not an object with AuthenticatorError naming them", async () => {
    for (const options of [null, 5, "node-a"]) {
      const error = await failureOf(() => new MemoryCredentialStore(options as never))
      expect(error).toBeInstanceOf(AuthenticatorError)
      expect((error as Error).message).toBe("MemoryCredentialStore options must be an object")
    }
  })

  it("rejects a node name that is not a string", async () => {
    const error = await failureOf(() => new MemoryCredentialStore({ node: 7 as never }))
    expect(error).toBeInstanceOf(AuthenticatorError)
    expect((error as Error).message).toBe("options.node must be a non-empty string")
  })

  it("rejects addCurveKey options that are not an object, changing nothing", async () => {
    const store = new MemoryCredentialStore()
    const { publicKey } = curveKeyPair()
    for (const options of [null, 5, "alice"]) {
      const error = await failureOf(() => store.addCurveKey("app", publicKey, options as never))
      expect(error).toBeInstanceOf(AuthenticatorError)
      expect((error as Error).message).toBe("addCurveKey options must be an object")
    }
    expect(store.generation).toBe(0)
    expect(store.checkCurveKey("app", publicKey)).toBe(false)
  })

  it("rejects a receipt that is not an object with a non-negative integer generation", async () => {
    const store = new MemoryCredentialStore()
    const receipts = [null, 3, {}, { generation: 1.5 }, { generation: "1" }, Object.assign(() => {}, { generation: 0 })]
    for (const receipt of receipts) {
      const error = await failureOf(() => store.waitForFleet(receipt as never))
      expect(error).toBeInstanceOf(AuthenticatorError)
      expect((error as Error).message).toMatch(/^receipt must be a ChangeReceipt/)
    }
  })

  it("reports generation 0, the state before any change, as applied", async () => {
    const store = new MemoryCredentialStore({ node: "node-a" })
    expect(await store.waitForFleet({ generation: 0 })).toMatchObject({ applied: ["node-a"], pending: [] })
  })

  it("accepts a timeout of 0 ms and null options, and rejects a timeout that is not a number", async () => {
    const store = new MemoryCredentialStore({ node: "node-a" })
    const receipt = await store.setPassword("app", "alice", "secret")
    expect(await store.waitForFleet(receipt, { timeoutMs: 0 })).toMatchObject({ applied: ["node-a"] })
    expect(await store.waitForFleet(receipt, null as never)).toMatchObject({ applied: ["node-a"] })
    for (const timeoutMs of ["10", Number.NaN, -0.5]) {
      const error = await failureOf(() => store.waitForFleet(receipt, { timeoutMs: timeoutMs as never }))
      expect(error).toBeInstanceOf(AuthenticatorError)
      expect((error as Error).message).toBe("options.timeoutMs must be a non-negative number of milliseconds")
    }
  })

  it("reports as elapsedMs no more than the time the call took", async () => {
    const store = new MemoryCredentialStore()
    const receipt = await store.setPassword("app", "alice", "secret")
    const before = performance.now()
    const { elapsedMs } = await store.waitForFleet(receipt)
    const took = performance.now() - before
    expect(elapsedMs).toBeGreaterThanOrEqual(0)
    expect(elapsedMs).toBeLessThanOrEqual(took)
  })
})
