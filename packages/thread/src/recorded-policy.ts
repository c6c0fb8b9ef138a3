import type { CurveKeyCallback } from "@zmq-auth/core"
import type { ConfigurationCall } from "./messages.js"

/** A recorded call and its place in call order (see {@link RecordedPolicy.nextOrder}). */
interface Entry {
  order: number
  call: ConfigurationCall
}

/**
 * The main thread's record of the whole policy: every configuration call that took effect,
 * compacted per domain (a later call for the same entry replaces the earlier one), replayed in
 * order each time a worker starts, so a restart after a crash recovers the full policy. Also
 * holds the main-thread CURVE key callbacks the worker calls by id.
 *
 * "Later" is the order in which the calls were made, not the order in which they finished: a
 * certificate directory still being read when a newer call for its domain is recorded is
 * dropped once read, as the core engine drops it.
 */
export class RecordedPolicy {
  readonly #entries = new Map<string, Entry>()
  readonly #callbacks = new Map<number, CurveKeyCallback>()
  #nextCallbackId = 1
  #nextOrder = 1

  /** The calls to replay, in order. */
  get calls(): ConfigurationCall[] {
    return [...this.#entries.values()].map((entry) => entry.call)
  }

  /**
   * Numbers a configuration call at the moment it is made; pass the number to
   * {@link RecordedPolicy.record}. Of two calls for the same
   * entry, the one with the higher number is kept, whichever finishes last.
   */
  nextOrder(): number {
    return this.#nextOrder++
  }

  /** Keeps `callback` for the worker to call; returns its id. */
  registerCallback(callback: CurveKeyCallback): number {
    const id = this.#nextCallbackId++
    this.#callbacks.set(id, callback)
    return id
  }

  /** Forgets a callback that was never put into effect. */
  unregisterCallback(id: number): void {
    this.#callbacks.delete(id)
  }

  /** The callback registered as `id`, if it is still in effect. */
  callback(id: number): CurveKeyCallback | undefined {
    return this.#callbacks.get(id)
  }

  /** Whether an allow or a deny list is recorded (one excludes the other). */
  has(list: "allow" | "deny"): boolean {
    return this.#entries.has(list)
  }

  /**
   * Records `call`, which took effect (applied by a running worker, or checked while none runs),
   * numbered by {@link RecordedPolicy.nextOrder}: unless a call made after it for the same entry
   * was recorded meanwhile, it replaces the entry's earlier call.
   */
  record(call: ConfigurationCall, order: number): void {
    if (call.method === "allow" || call.method === "deny") {
      // Lists only grow: the order of the calls does not matter.
      if (call.addresses.length === 0) return
      const earlier = this.#entries.get(call.method)?.call as typeof call | undefined
      this.#entries.set(call.method, {
        order,
        call: { method: call.method, addresses: [...(earlier?.addresses ?? []), ...call.addresses] },
      })
      return
    }
    const key = `${entryKind(call.method)}:${call.domain}`
    const replaced = this.#entries.get(key)
    if (replaced !== undefined && replaced.order > order) {
      // A call made later for this entry is already in effect: this one never takes effect.
      if (call.method === "configureCurveCallback") this.#callbacks.delete(call.callbackId)
      return
    }
    const earlier = replaced?.call
    if (
      earlier?.method === "configureCurveCallback" &&
      !(call.method === "configureCurveCallback" && call.callbackId === earlier.callbackId)
    ) {
      this.#callbacks.delete(earlier.callbackId)
    }
    this.#entries.set(key, { order, call })
  }
}

function entryKind(method: Exclude<ConfigurationCall["method"], "allow" | "deny">): "plain" | "curve" | "gssapi" {
  if (method === "configurePlain") return "plain"
  if (method === "configureGssapi") return "gssapi"
  return "curve"
}
