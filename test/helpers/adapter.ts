import type { CredentialCheck, CurveKeyCallback, DecisionEvent, FailureGuardOptions, ZapRequest } from "@zmq-auth/core"

/**
 * What the shared decision table configures. `Authenticator` (sync, returns this) and
 * `ThreadAuthenticator` (async) both fit: the table awaits every call.
 */
export interface EngineConfig {
  allow(...addresses: string[]): unknown
  deny(...addresses: string[]): unknown
  configurePlain(domain: string, passwords: Record<string, string>): unknown
  configureCurve(domain: string, location: string | symbol): unknown
  configureCurveKeys(domain: string, keys: Iterable<string | Uint8Array>): unknown
  configureCurveCallback(domain: string, callback: CurveKeyCallback): unknown
  configureGssapi(domain?: string): unknown
}

/** Options every adapter must honour when serving a fresh engine. */
export interface ServeOptions {
  /** Maps accepted CURVE keys to user ids (the engine's `curveUserId` option). */
  curveUserId?: (publicKey: string, request: ZapRequest, check: CredentialCheck) => string | Promise<string>
  /** The engine's `callbackTimeoutMs`. */
  callbackTimeoutMs?: number
  /** The engine's `maxPendingChecks`. */
  maxPendingChecks?: number
  /** The engine's brute-force guard (the clock cannot be replaced: the thread adapter's runs in the worker). */
  guard?: Omit<FailureGuardOptions, "now">
  /**
   * An ES module exporting `createAuthenticator(options)`: the thread adapter loads it in its
   * worker (its `module` option), the others call it to build their engine.
   */
  module?: URL
}

/** A fresh engine, served on the ZAP endpoint of zeromq's global context by one adapter. */
export interface ServedEngine extends StoreEvents {
  /** Configure the policy through this (await each call). */
  engine: EngineConfig
  /** Every `decision` event seen so far, in order. */
  decisions: DecisionEvent[]
  /** Resolves with the next decision event (one not yet returned by an earlier call). */
  nextDecision(): Promise<DecisionEvent>
  /** Stops serving and frees the ZAP endpoint. */
  stop(): Promise<void>
}

/** One way of serving the engine: the promise loop, the worker thread, the rx stream. */
export interface AdapterUnderTest {
  name: string
  serve(options?: ServeOptions): Promise<ServedEngine>
}

/** Collects decision events of any `decision` event source into a {@link ServedEngine}'s fields. */
export function collectDecisions(source: {
  on(event: "decision", listener: (event: DecisionEvent) => void): unknown
}): Pick<ServedEngine, "decisions" | "nextDecision"> {
  const decisions: DecisionEvent[] = []
  const waiting: Array<(event: DecisionEvent) => void> = []
  let delivered = 0
  source.on("decision", (event) => {
    decisions.push(event)
    const waiter = waiting.shift()
    if (waiter !== undefined) {
      delivered++
      waiter(event)
    }
  })
  return {
    decisions,
    nextDecision() {
      if (delivered < decisions.length) return Promise.resolve(decisions[delivered++]!)
      return new Promise((resolve) => waiting.push(resolve))
    },
  }
}

/** Events of the engine's credential stores, as {@link collectStoreEvents} collects them. */
export interface StoreEvents {
  /** Every store event seen so far, in order. */
  storeEvents: Array<{ name: string; args: unknown[] }>
  /** Resolves with the arguments of the first event named `name` matching `accept`, waiting for it if needed. */
  storeEvent(name: string, accept?: (args: unknown[]) => boolean): Promise<unknown[]>
}

/**
 * Collects the store events (`STORE_EVENTS`) that `sources` emit: the stores themselves, or a
 * `ThreadAuthenticator`.
 */
export function collectStoreEvents(sources: Iterable<unknown>, names: readonly string[]): StoreEvents {
  const storeEvents: StoreEvents["storeEvents"] = []
  const waiting: Array<{ name: string; accept: (args: unknown[]) => boolean; resolve: (args: unknown[]) => void }> = []
  for (const source of sources) {
    const emitter = source as { on?: (name: string, listener: (...args: unknown[]) => void) => unknown }
    if (typeof emitter.on !== "function") continue
    for (const name of names) {
      emitter.on(name, (...args) => {
        storeEvents.push({ name, args })
        for (const waiter of waiting.filter((candidate) => candidate.name === name && candidate.accept(args))) {
          waiting.splice(waiting.indexOf(waiter), 1)
          waiter.resolve(args)
        }
      })
    }
  }
  return {
    storeEvents,
    storeEvent(name, accept = () => true) {
      const seen = storeEvents.find((event) => event.name === name && accept(event.args))
      if (seen !== undefined) return Promise.resolve(seen.args)
      return new Promise((resolve) => waiting.push({ name, accept, resolve }))
    },
  }
}
