import { Authenticator, type CurveKeyCallback } from "@zmq-auth/core"
import { applyConfiguration } from "./apply-configuration.js"
import type { ConfigurationCall } from "./messages.js"

/**
 * The main thread's copy of the whole policy: every configuration call that took effect,
 * compacted per domain (a later call for the same entry replaces the earlier one), replayed in
 * order each time a worker starts, so a restart after a crash recovers the full policy. Also
 * holds the main-thread CURVE key callbacks the worker calls by id.
 */
export class PolicyRecord {
  /** Checks calls made while no worker runs, exactly as the engine would. */
  readonly #validator = new Authenticator()
  readonly #calls = new Map<string, ConfigurationCall>()
  readonly #callbacks = new Map<number, CurveKeyCallback>()
  #nextCallbackId = 1

  /** The calls to replay, in order. */
  get calls(): ConfigurationCall[] {
    return [...this.#calls.values()]
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

  /**
   * Validates `call` as the engine would (rejecting with the engine's typed error, e.g. allow
   * after deny, a malformed key, an unreadable certificate directory) and records it.
   */
  async accept(call: ConfigurationCall): Promise<void> {
    // The validator reads a certificate directory once; only the worker watches it.
    const checked = call.method === "configureCurve" ? { ...call, options: {} } : call
    await applyConfiguration(this.#validator, checked, (id) => this.#callbacks.get(id) ?? rejectAll)
    this.#store(call)
  }

  /** Records `call`, which a running worker has already applied. */
  recordApplied(call: ConfigurationCall): void {
    if (call.method === "allow" || call.method === "deny") {
      try {
        this.#validator[call.method](...call.addresses)
      } catch {
        // The worker's engine (possibly a subclass) accepted it: its word counts.
      }
    }
    this.#store(call)
  }

  #store(call: ConfigurationCall): void {
    if (call.method === "allow" || call.method === "deny") {
      if (call.addresses.length === 0) return
      const earlier = this.#calls.get(call.method) as typeof call | undefined
      this.#calls.set(call.method, { method: call.method, addresses: [...(earlier?.addresses ?? []), ...call.addresses] })
      return
    }
    const key = `${entryKind(call.method)}:${call.domain}`
    const replaced = this.#calls.get(key)
    if (replaced?.method === "configureCurveCallback" && !(call.method === "configureCurveCallback" && call.callbackId === replaced.callbackId)) {
      this.#callbacks.delete(replaced.callbackId)
    }
    this.#calls.set(key, call)
  }
}

function entryKind(method: Exclude<ConfigurationCall["method"], "allow" | "deny">): "plain" | "curve" | "gssapi" {
  if (method === "configurePlain") return "plain"
  if (method === "configureGssapi") return "gssapi"
  return "curve"
}

function rejectAll(): boolean {
  return false
}
