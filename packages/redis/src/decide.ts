import type { CurveRecord, Stored, UserRecord } from "./records.js"

/** The 300 status text when Redis cannot vouch for a decision. */
export const UNAVAILABLE = "Credential store unavailable"

/** A record looked up for a decision, with how much it can be trusted. */
export interface Lookup<R> {
  /** The domain the record belongs to: the request's, or `"*"`. */
  domain: string
  /** The record, `null` when none exists, `undefined` when unknown (not cached and Redis unreachable). */
  record: Stored<R> | undefined
  /** Whether the record is current: read from Redis, from a trusted cache entry, or within `maxStalenessMs`. */
  current: boolean
}

/** What a decision needs from the records of the request's domain and of `"*"`. */
export type Decision<R> =
  | { kind: "unavailable" }
  | { kind: "malformed"; domain: string }
  | { kind: "revoked" }
  | { kind: "expired" }
  | { kind: "unknown" }
  | { kind: "found"; domain: string; record: R }

function isTombstone(record: Stored<CurveRecord | UserRecord> | undefined): boolean {
  return record !== null && record !== undefined && record !== "malformed" && record.state !== "active"
}

/**
 * Decides from the records of the request's domain and of `"*"` (in that order): a tombstone at
 * either level wins, even one that is no longer current (revocations always apply); then every
 * record must be current, or nothing can be decided; then the domain's record, if any, decides
 * (an expired one too); else the `"*"` record. `now` is wall-clock milliseconds.
 */
export function decide<R extends CurveRecord | UserRecord>(lookups: readonly Lookup<R>[], now: number): Decision<R> {
  if (lookups.some((lookup) => isTombstone(lookup.record))) return { kind: "revoked" }
  if (lookups.some((lookup) => !lookup.current || lookup.record === undefined)) return { kind: "unavailable" }
  for (const lookup of lookups) {
    const record = lookup.record
    if (record === null || record === undefined) continue
    if (record === "malformed") return { kind: "malformed", domain: lookup.domain }
    if ("notAfter" in record && record.notAfter !== undefined && record.notAfter <= now) return { kind: "expired" }
    return { kind: "found", domain: lookup.domain, record }
  }
  return { kind: "unknown" }
}
