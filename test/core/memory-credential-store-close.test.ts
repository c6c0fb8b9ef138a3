import { afterEach, describe, expect, it, vi } from "vitest"
import { curveKeyPair } from "zeromq"
import { AuthenticatorError, MemoryCredentialStore } from "@zmq-auth/core"

const DIGEST_BYTES = 32

describe("MemoryCredentialStore close", () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it("zeroes the digest of every stored password and its digest key", async () => {
    const allocated: Buffer[] = []
    const allocUnsafeSlow = Buffer.allocUnsafeSlow.bind(Buffer)
    vi.spyOn(Buffer, "allocUnsafeSlow").mockImplementation((size) => {
      const buffer = allocUnsafeSlow(size)
      allocated.push(buffer)
      return buffer
    })
    const store = new MemoryCredentialStore()
    await store.setPassword("app", "alice", "first secret")
    await store.setPassword("*", "bob", "second secret")
    await store.removeUser("app", "carol")
    vi.mocked(Buffer.allocUnsafeSlow).mockRestore()
    const secrets = allocated.filter((buffer) => buffer.length === DIGEST_BYTES)
    const live = (): number => secrets.filter((buffer) => buffer.some((byte) => byte !== 0)).length
    expect(live()).toBe(3)
    await store.close()
    expect(live()).toBe(0)
  })

  it("is run by Symbol.asyncDispose, for await using", async () => {
    const store = new MemoryCredentialStore()
    const { publicKey } = curveKeyPair()
    await store.addCurveKey("app", publicKey)
    await store[Symbol.asyncDispose]()
    expect(() => store.checkCurveKey("app", publicKey)).toThrow(AuthenticatorError)
    await expect(store.setPassword("app", "alice", "secret")).rejects.toThrow("MemoryCredentialStore is closed")
  })
})
