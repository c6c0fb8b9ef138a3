/** The ZAP domain the fleet demo's servers require. */
export const FLEET_DOMAIN = "fleet"

/** The Redis key namespace of the fleet demo: apart from a real fleet's `zmq-auth`. */
export const FLEET_NAMESPACE = "zmq-auth-demo"

/**
 * What a fleet server process reports to the demo over its IPC channel. `at` is a time in
 * milliseconds since the epoch on the shared clock (`performance.timeOrigin + performance.now()`).
 */
export type FleetServerMessage =
  | { type: "ready"; node: string; endpoint: string; serverKey: string }
  | { type: "decision"; publicKey: string | undefined; statusCode: number; statusText: string; at: number }
  | { type: "revoked"; publicKey: string; at: number }
  | { type: "failed"; message: string }

/** What the demo tells a fleet server process. */
export type FleetControlMessage = { type: "stop" }

/** Now, in milliseconds since the epoch, with sub-millisecond precision: comparable across processes. */
export function sharedClock(): number {
  return performance.timeOrigin + performance.now()
}
