import { describe, expect, it } from "vitest"
import type { CurveKeyCallback } from "@zmq-auth/core"
import type { ConfigurationCall } from "../../packages/thread/src/messages.js"
import { RecordedPolicy } from "../../packages/thread/src/recorded-policy.js"

const allowAny: CurveKeyCallback = () => true

/** Records `calls` in the order given, each numbered when it is recorded. */
function recorded(...calls: ConfigurationCall[]): RecordedPolicy {
  const policy = new RecordedPolicy()
  for (const call of calls) policy.record(call, policy.nextOrder())
  return policy
}

/** A policy holding a CURVE key callback for `domain`, and the callback's id. */
function withCallback(domain: string): { policy: RecordedPolicy; id: number } {
  const policy = new RecordedPolicy()
  const id = policy.registerCallback(allowAny)
  policy.record({ method: "configureCurveCallback", domain, callbackId: id }, policy.nextOrder())
  return { policy, id }
}

describe("RecordedPolicy: the main thread's record of the configuration calls", () => {
  it("merges successive allow calls into one list, in the order given", () => {
    const policy = recorded(
      { method: "allow", addresses: ["192.0.2.1"] },
      { method: "allow", addresses: ["192.0.2.2", "198.51.100.0/24"] }
    )
    expect(policy.calls).toEqual([{ method: "allow", addresses: ["192.0.2.1", "192.0.2.2", "198.51.100.0/24"] }])
    expect(policy.has("allow")).toBe(true)
    expect(policy.has("deny")).toBe(false)
  })

  it("merges successive deny calls into one list", () => {
    const policy = recorded({ method: "deny", addresses: ["192.0.2.1"] }, { method: "deny", addresses: ["192.0.2.2"] })
    expect(policy.calls).toEqual([{ method: "deny", addresses: ["192.0.2.1", "192.0.2.2"] }])
  })

  it("ignores an allow or deny call without addresses: no list is recorded", () => {
    const policy = recorded({ method: "allow", addresses: [] }, { method: "deny", addresses: [] })
    expect(policy.calls).toEqual([])
    expect(policy.has("allow")).toBe(false)
    expect(policy.has("deny")).toBe(false)
  })

  it("replaces an earlier call of the same kind and domain, keeping the other entries", () => {
    const policy = recorded(
      { method: "configurePlain", domain: "app", passwords: { admin: "first" } },
      { method: "configureCurve", domain: "app", location: null },
      { method: "configurePlain", domain: "app", passwords: { admin: "second" } }
    )
    expect(policy.calls).toEqual([
      { method: "configurePlain", domain: "app", passwords: { admin: "second" } },
      { method: "configureCurve", domain: "app", location: null },
    ])
  })

  it("keeps a GSSAPI entry apart from the CURVE and PLAIN entries of the same domain", () => {
    const calls: ConfigurationCall[] = [
      { method: "configureCurveKeys", domain: "app", keys: [] },
      { method: "configureGssapi", domain: "app" },
      { method: "configurePlain", domain: "app", passwords: {} },
    ]
    expect(recorded(...calls).calls).toEqual(calls)
    const reversed = [...calls].reverse()
    expect(recorded(...reversed).calls).toEqual(reversed)
  })

  it("replaces one GSSAPI call of a domain by the next", () => {
    const policy = recorded(
      { method: "configureGssapi", domain: "app" },
      { method: "configureGssapi", domain: "other" },
      { method: "configureGssapi", domain: "app" }
    )
    expect(policy.calls).toEqual([
      { method: "configureGssapi", domain: "app" },
      { method: "configureGssapi", domain: "other" },
    ])
  })

  it("drops a call recorded after a call made later for the same entry", () => {
    const policy = new RecordedPolicy()
    const earlier = policy.nextOrder()
    const later = policy.nextOrder()
    policy.record({ method: "configureCurve", domain: "app", location: null }, later)
    policy.record({ method: "configureCurve", domain: "app", location: "certificates" }, earlier)
    expect(policy.calls).toEqual([{ method: "configureCurve", domain: "app", location: null }])
  })

  it("keeps a registered callback until it is unregistered", () => {
    const policy = new RecordedPolicy()
    const id = policy.registerCallback(allowAny)
    const other = policy.registerCallback(allowAny)
    expect(other).not.toBe(id)
    expect(policy.callback(id)).toBe(allowAny)
    policy.unregisterCallback(id)
    expect(policy.callback(id)).toBeUndefined()
    expect(policy.callback(other)).toBe(allowAny)
  })

  it("forgets the callback of a domain whose CURVE entry is replaced by keys", () => {
    const { policy, id } = withCallback("app")
    policy.record({ method: "configureCurveKeys", domain: "app", keys: [] }, policy.nextOrder())
    expect(policy.callback(id)).toBeUndefined()
    expect(policy.calls).toEqual([{ method: "configureCurveKeys", domain: "app", keys: [] }])
  })

  it("forgets a replaced callback and keeps the one that replaced it", () => {
    const { policy, id } = withCallback("app")
    const next = policy.registerCallback(allowAny)
    policy.record({ method: "configureCurveCallback", domain: "app", callbackId: next }, policy.nextOrder())
    expect(policy.callback(id)).toBeUndefined()
    expect(policy.callback(next)).toBe(allowAny)
  })

  it("keeps a callback recorded again under the same id", () => {
    const { policy, id } = withCallback("app")
    policy.record({ method: "configureCurveCallback", domain: "app", callbackId: id }, policy.nextOrder())
    expect(policy.callback(id)).toBe(allowAny)
    expect(policy.calls).toEqual([{ method: "configureCurveCallback", domain: "app", callbackId: id }])
  })

  it("keeps the callback of a domain whose other entries are replaced", () => {
    const { policy, id } = withCallback("app")
    policy.record({ method: "configureCurveKeys", domain: "other", keys: [] }, policy.nextOrder())
    policy.record({ method: "configurePlain", domain: "app", passwords: {} }, policy.nextOrder())
    policy.record({ method: "configureGssapi", domain: "app" }, policy.nextOrder())
    expect(policy.callback(id)).toBe(allowAny)
  })

  it("forgets the callback of a call that never takes effect", () => {
    const policy = new RecordedPolicy()
    const earlier = policy.nextOrder()
    const later = policy.nextOrder()
    const id = policy.registerCallback(allowAny)
    policy.record({ method: "configureCurve", domain: "app", location: null }, later)
    policy.record({ method: "configureCurveCallback", domain: "app", callbackId: id }, earlier)
    expect(policy.callback(id)).toBeUndefined()
    expect(policy.calls).toEqual([{ method: "configureCurve", domain: "app", location: null }])
  })
})
