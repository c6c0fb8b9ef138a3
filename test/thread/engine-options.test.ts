import { describe, expect, it } from "vitest"
import { ThreadAuthenticator, type ThreadAuthenticatorOptions } from "@zmq-auth/thread"

describe("ThreadAuthenticator engine options", () => {
  it("rejects a bad maxPendingChecks or guard with a TypeError naming it, before any worker starts", () => {
    const bad: Array<[ThreadAuthenticatorOptions, RegExp]> = [
      [{ maxPendingChecks: 0 }, /maxPendingChecks/],
      [{ maxPendingChecks: 2.5 }, /maxPendingChecks/],
      [{ guard: { maxFailures: 0, windowMs: 1000 } }, /maxFailures/],
      [{ guard: { maxFailures: 3, windowMs: 1000, maxEntries: 0 } }, /maxEntries/],
      [{ guard: { maxFailures: 3, windowMs: 1000, now: Date.now } as never }, /now/],
      [{ guard: "strict" as never }, /guard/],
    ]
    for (const [options, message] of bad) {
      expect(() => new ThreadAuthenticator(options)).toThrow(TypeError)
      expect(() => new ThreadAuthenticator(options)).toThrow(message)
    }
  })
})
