/**
 * How a node watches a key: `"poll"` checks it in a tight loop (setImmediate between checks);
 * `"event"` stays idle until `credential:revoked` fires for it, then checks it once.
 */
export type WatchMode = "poll" | "event"

/** Parent to node: watch `publicKey` (answer `armed` once a check allows it), or close and exit. */
export type ToNode = { type: "watch"; publicKey: string; mode: WatchMode } | { type: "exit" }

/** Node to parent. Times are milliseconds since the epoch (`performance.timeOrigin + performance.now()`). */
export type FromNode =
  | { type: "ready" }
  | { type: "armed"; publicKey: string }
  | {
      type: "refused"
      publicKey: string
      /** When a check of the key first answered other than 200 (undefined: not within the wait). */
      refusedAt?: number
      /** When `credential:revoked` fired for the key (undefined: not within the wait). */
      revokedEventAt?: number
    }

/** The ZAP domain the nodes check keys in (the store looks there, then in `"*"`). */
export const WATCHED_DOMAIN = "bench"

/** How long a node waits for the refusal and the event before reporting what it has. */
export const REFUSAL_WAIT_MS = 5000

/** Now, in milliseconds since the epoch, with sub-millisecond resolution. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now()
}
