import { describe, expect, it } from "vitest"
import { FailureGuard, type FailureGuardOptions } from "@zmq-auth/core"

function guardAt(clock: { now: number }, options: Omit<FailureGuardOptions, "now">): FailureGuard {
  return new FailureGuard({ ...options, now: () => clock.now })
}

describe("FailureGuard options", () => {
  it("rejects options that are not an object with a TypeError saying so", () => {
    for (const bad of [null, undefined, 5, "maxFailures"]) {
      expect(() => new FailureGuard(bad as unknown as FailureGuardOptions)).toThrow(
        new TypeError("guard options must be an object")
      )
    }
  })

  it("rejects a window that is not a finite positive number", () => {
    for (const bad of [Number.POSITIVE_INFINITY, Number.NaN, -1, 0, "1000" as unknown as number]) {
      expect(() => new FailureGuard({ maxFailures: 3, windowMs: bad })).toThrow(
        new TypeError(`windowMs must be a positive number of milliseconds, got ${String(bad)}`)
      )
    }
  })

  it("takes a status text of its own", () => {
    expect(new FailureGuard({ maxFailures: 3, windowMs: 1000, statusText: "Slow down" }).statusText).toBe("Slow down")
    expect(new FailureGuard({ maxFailures: 3, windowMs: 1000 }).statusText).toBe("Too many failed attempts")
  })
})

describe("FailureGuard counters", () => {
  it("counts one address's failures on different user names together, apart from other addresses", () => {
    const guard = guardAt({ now: 0 }, { maxFailures: 5, maxAddressFailures: 2, windowMs: 1000 })
    guard.recordFailure("192.0.2.1", "alice")
    guard.recordFailure("192.0.2.1", "bob")
    expect(guard.check("192.0.2.1")).toEqual({ reason: "address", failures: 2, retryAfterMs: 1000 })
    expect(guard.check("192.0.2.2")).toBeUndefined()
    expect(guard.check("192.0.2.2", "alice")).toBeUndefined()
  })

  it("reports at most the threshold's worth of failures, the newest ones", () => {
    const clock = { now: 0 }
    const guard = guardAt(clock, { maxFailures: 2, maxAddressFailures: 100, windowMs: 1000 })
    for (const time of [0, 100, 200, 300]) {
      clock.now = time
      guard.recordFailure("192.0.2.1", "admin")
    }
    expect(guard.check("192.0.2.1", "admin")).toEqual({ reason: "address+user", failures: 2, retryAfterMs: 900 })
  })

  it("drops a counter whose failures all aged out when it is checked", () => {
    const clock = { now: 0 }
    const guard = guardAt(clock, { maxFailures: 2, windowMs: 1000 })
    guard.recordFailure("192.0.2.1", "admin")
    expect(guard.size).toBe(2)
    clock.now = 1000
    expect(guard.check("192.0.2.1", "admin")).toBeUndefined()
    expect(guard.size).toBe(0)
  })
})

describe("FailureGuard eviction", () => {
  it("keeps exactly maxEntries counters before evicting, then drops a tenth, oldest unblocked first", () => {
    const guard = guardAt({ now: 0 }, { maxFailures: 2, maxAddressFailures: 100, windowMs: 1000, maxEntries: 10 })
    for (let index = 1; index <= 5; index++) guard.recordFailure(`192.0.2.${index}`, "user")
    expect(guard.size).toBe(10)
    guard.recordFailure("192.0.2.6", "user")
    expect(guard.size).toBe(10)
    // 192.0.2.1's counters went first: one more failure there is a first one again.
    guard.recordFailure("192.0.2.1", "user")
    expect(guard.check("192.0.2.1", "user")).toBeUndefined()
    guard.recordFailure("192.0.2.3", "user")
    expect(guard.check("192.0.2.3", "user")?.reason).toBe("address+user")
  })

  it("keeps a blocked attacker over older unblocked counters, whatever its user name ends with", () => {
    const guard = guardAt({ now: 5000 }, { maxFailures: 2, maxAddressFailures: 100, windowMs: 1000, maxEntries: 10 })
    guard.recordFailure("198.51.100.9", "alpha")
    guard.recordFailure("198.51.100.9", "alpha")
    for (let index = 1; index <= 10; index++) guard.recordFailure(`192.0.2.${index}`, "user")
    expect(guard.size).toBeLessThanOrEqual(10)
    expect(guard.check("198.51.100.9", "alpha")).toMatchObject({ reason: "address+user", failures: 2 })
  })

  it("evicts a counter blocked long ago (aged out) before a recent unblocked one", () => {
    const clock = { now: 0 }
    const guard = guardAt(clock, { maxFailures: 2, maxAddressFailures: 2, windowMs: 1000, maxEntries: 10 })
    guard.recordFailure("198.51.100.9", "old")
    guard.recordFailure("198.51.100.9", "old")
    clock.now = 1000
    for (let index = 1; index <= 5; index++) guard.recordFailure(`192.0.2.${index}`, `user-${index}`)
    expect(guard.size).toBe(10)
    // Each address has one failure of two: a second blocks it, unless its counter was evicted.
    for (let index = 1; index <= 5; index++) guard.recordFailure(`192.0.2.${index}`, `user-${index}`)
    for (let index = 1; index <= 5; index++) {
      expect(guard.check(`192.0.2.${index}`)).toEqual({ reason: "address", failures: 2, retryAfterMs: 1000 })
    }
  })

  it("drops the oldest blocked counters when all counters are blocked", () => {
    const guard = guardAt({ now: 0 }, { maxFailures: 1, maxAddressFailures: 1, windowMs: 1000, maxEntries: 10 })
    for (let index = 1; index <= 5; index++) guard.recordFailure(`192.0.2.${index}`, "user")
    expect(guard.size).toBe(10)
    guard.recordFailure("192.0.2.6", "user")
    expect(guard.size).toBe(10)
    expect(guard.check("192.0.2.1", "user")).toBeUndefined()
    for (let index = 2; index <= 6; index++) expect(guard.check(`192.0.2.${index}`, "user")?.reason).toBe("address")
  })
})
