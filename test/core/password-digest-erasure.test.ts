import { afterEach, describe, expect, it, vi } from "vitest"
import { MemoryCredentialStore } from "@zmq-auth/core"

/** The unpooled Buffers (digests, the digest key) allocated while `action` runs. */
async function unpooledDuring(action: () => unknown): Promise<Buffer[]> {
  const spy = vi.spyOn(Buffer, "allocUnsafeSlow")
  try {
    await action()
    return spy.mock.results.map((result) => result.value as Buffer)
  } finally {
    spy.mockRestore()
  }
}

const zeroed = (buffer: Buffer): boolean => buffer.every((byte) => byte === 0)

afterEach(() => {
  vi.restoreAllMocks()
})

describe("password digests in memory", () => {
  it("zeroes the digest of a candidate password once it is compared, match or not", async () => {
    const store = new MemoryCredentialStore()
    await store.setPassword("", "alice", "secret")
    for (const candidate of ["guess", "secret"]) {
      let verdict: unknown
      const made = await unpooledDuring(() => {
        verdict = store.checkPlain("", "alice", Buffer.from(candidate))
      })
      expect(verdict).toMatchObject({ statusCode: candidate === "secret" ? 200 : 400 })
      expect(made.length).toBeGreaterThan(0)
      expect(made.filter((buffer) => !zeroed(buffer))).toEqual([])
    }
  })

  it("zeroes a user's digest when the password is replaced or the user removed", async () => {
    const store = new MemoryCredentialStore()
    const [first] = await unpooledDuring(() => store.setPassword("", "alice", "secret"))
    const [second] = await unpooledDuring(() => store.setPassword("", "alice", "changed"))
    expect(first).toHaveLength(32)
    expect(zeroed(first!)).toBe(true)
    expect(zeroed(second!)).toBe(false)
    await store.removeUser("", "alice")
    expect(zeroed(second!)).toBe(true)
  })

  it("zeroes the digest key and every digest when the store is closed", async () => {
    let store: MemoryCredentialStore | undefined
    const [key] = await unpooledDuring(() => {
      store = new MemoryCredentialStore()
    })
    const [digest] = await unpooledDuring(() => store!.setPassword("", "alice", "secret"))
    expect(key).toHaveLength(32)
    expect(zeroed(key!)).toBe(false)
    expect(zeroed(digest!)).toBe(false)
    await store!.close()
    expect(zeroed(key!)).toBe(true)
    expect(zeroed(digest!)).toBe(true)
  })
})
