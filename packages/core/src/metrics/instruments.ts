/** How an instrument aggregates what is recorded. */
export type InstrumentKind = "counter" | "upDownCounter" | "histogram" | "gauge"

/** One instrument of zmq-auth: its OpenTelemetry name, kind, unit and description. */
export interface InstrumentDefinition {
  readonly kind: InstrumentKind
  readonly unit: string
  readonly description: string
  /** Histogram bucket boundaries (advice to the SDK). */
  readonly buckets?: readonly number[]
}

/** Buckets for durations from 10 µs to 5 s, in seconds. */
export const DURATION_BUCKETS_SECONDS: readonly number[] = [
  0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
  5,
]

/**
 * Every instrument zmq-auth records, by name. Names follow OpenTelemetry's conventions (dotted,
 * under `zmq_auth.`), units UCUM (`s`, `{decision}`).
 */
export const INSTRUMENTS = {
  "zmq_auth.decisions": {
    kind: "counter",
    unit: "{decision}",
    description: "ZAP requests decided, by mechanism, status code and ZAP domain",
  },
  "zmq_auth.decision.duration": {
    kind: "histogram",
    unit: "s",
    description: "Time from a ZAP request reaching the engine to its reply, by mechanism, status code and ZAP domain",
    buckets: DURATION_BUCKETS_SECONDS,
  },
  "zmq_auth.decisions.in_flight": {
    kind: "upDownCounter",
    unit: "{request}",
    description: "ZAP requests received by a handler and not answered yet (libzmq's own queue is not visible)",
  },
  "zmq_auth.protocol_errors": {
    kind: "counter",
    unit: "{request}",
    description: "Malformed ZAP requests (answered 400 or dropped), by status text (status_text)",
  },
  "zmq_auth.failures": {
    kind: "counter",
    unit: "{decision}",
    description: "Decisions answered 300 (temporary) or 500 (internal error), by status code and cause",
  },
  "zmq_auth.check.timeouts": {
    kind: "counter",
    unit: "{check}",
    description: "Credential checks that did not answer in time, by what was asked (check: callback, user_id, store)",
  },
  "zmq_auth.guard.blocks": {
    kind: "counter",
    unit: "{decision}",
    description: "Requests denied by the brute-force guard, by what was blocked (address, address+user)",
  },
  "zmq_auth.certificates.reloads": {
    kind: "counter",
    unit: "{reload}",
    description: "Loads and reloads of certificate directories, by ZAP domain and outcome (ok, failed)",
  },
  "zmq_auth.certificates.keys": {
    kind: "gauge",
    unit: "{key}",
    description: "CURVE keys in force from a certificate directory, by ZAP domain",
  },
  "zmq_auth.store.cache.hits": {
    kind: "counter",
    unit: "{lookup}",
    description: "Credential store lookups answered from the local cache",
  },
  "zmq_auth.store.cache.misses": {
    kind: "counter",
    unit: "{lookup}",
    description: "Credential store lookups that had to ask the store",
  },
  "zmq_auth.store.cache.invalidations": {
    kind: "counter",
    unit: "{invalidation}",
    description: "Cache entries invalidated by the store",
  },
  "zmq_auth.store.state": {
    kind: "gauge",
    unit: "1",
    description: "1 for the credential store's current state (up, stale, down), 0 for the others",
  },
  "zmq_auth.store.staleness": {
    kind: "gauge",
    unit: "s",
    description: "Age of the oldest cached entry still used while the store is unreachable (0 when up)",
  },
  "zmq_auth.store.generation": {
    kind: "gauge",
    unit: "{generation}",
    description: "The store's change generation applied by this process",
  },
  "zmq_auth.store.password_hash.queue": {
    kind: "upDownCounter",
    unit: "{hash}",
    description: "Password hashes running or waiting for a thread",
  },
  "zmq_auth.store.password_hash.duration": {
    kind: "histogram",
    unit: "s",
    description: "Time to verify one password hash",
    buckets: DURATION_BUCKETS_SECONDS,
  },
} as const satisfies Record<string, InstrumentDefinition>

/** The name of a zmq-auth instrument. */
export type InstrumentName = keyof typeof INSTRUMENTS

/** Attributes of one measurement: low-cardinality strings and numbers only. */
export type MetricAttributes = Readonly<Record<string, string | number>>
