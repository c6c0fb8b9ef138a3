import type { StoreSession } from "./store-session.js"

/** What a subject must offer for a conformance test to apply (it is skipped otherwise). */
export type ConformanceNeed = "checkCurveKey" | "checkPlain" | "makeUnavailable" | "close"

/** One behaviour every store must have. */
export interface ConformanceCase {
  /** States the behaviour ("denies a key revoked under '*' ..."). */
  name: string
  needs: readonly ConformanceNeed[]
  /** Rejects with an `AssertionError` when the store does not behave so. */
  run(session: StoreSession): Promise<void>
}
