import type { ConformanceCase, ConformanceNeed } from "./conformance-case.js"
import type {
  ConformanceTestApi,
  ConformanceTestContext,
  CredentialStoreConformanceOptions,
  CredentialStoreFactory,
} from "./conformance-types.js"
import { CURVE_CASES } from "./curve-cases.js"
import { LIFECYCLE_CASES } from "./lifecycle-cases.js"
import { PLAIN_CASES } from "./plain-cases.js"
import { StoreSession } from "./store-session.js"

const DEFAULT_SETTLE_WITHIN_MS = 1_000

/** Every conformance case, in the order they are registered. */
const CASES: readonly ConformanceCase[] = [...CURVE_CASES, ...PLAIN_CASES, ...LIFECYCLE_CASES]

/**
 * Registers, with the caller's test framework, the behaviour every `CredentialStore` must have,
 * run against a fresh store from `factory` per test (and disposed of after it):
 *
 * - lookup under the request's domain, then under `"*"`, the record found deciding; no two
 *   domains, keys or user names confused, even when they differ only in `:` `{` `}`;
 * - a revocation (`revokeCurveKey`, `removeUser`) under either level wins over an entry at the
 *   other, whatever the order;
 * - expiry (`notAfter`), password replacement and user removal, `credential:revoked` events;
 * - 300, never 200, once `makeUnavailable()` (when the subject offers it) has cut it off;
 * - a check whose signal is aborted before or while it runs settles within `settleWithinMs`;
 * - no password kept after a check (altering the bytes given changes nothing later; with
 *   `--expose-gc`, the Buffer is collectable) nor found in verdicts, events or errors;
 * - concurrent checks answered each by its own credentials (or 300 where the store sheds load);
 * - `close()` idempotent.
 *
 * Tests of a mechanism the store does not implement, or of an outage the subject cannot make,
 * are skipped. Assertions use `node:assert`, so no framework is loaded by the kit.
 *
 * @param name the group's name (the store's)
 * @param api the framework's `it` (and `describe`): `import { describe, it } from "vitest"` or `"node:test"`
 * @throws TypeError naming `factory`, `api.it`, `api.describe` or `options.settleWithinMs` when it is not usable
 *
 * @example
 * ```ts
 * import { describe, it } from "vitest"        // or "node:test"
 * import { describeCredentialStore } from "@zmq-auth/core/testing"
 *
 * describeCredentialStore(
 *   "SqlCredentialStore",
 *   async () => {
 *     const database = await startTestDatabase()
 *     const store = new SqlCredentialStore(database.url)
 *     const dispose = async () => {
 *       await store.close()
 *       await database.remove()
 *     }
 *     return { store, makeUnavailable: () => database.stop(), dispose }
 *   },
 *   { describe, it },
 * )
 * ```
 */
export function describeCredentialStore(
  name: string,
  factory: CredentialStoreFactory,
  api: ConformanceTestApi,
  options: CredentialStoreConformanceOptions = {}
): void {
  if (typeof factory !== "function")
    throw new TypeError("factory must be a function returning { store, admin?, makeUnavailable?, dispose? }")
  if (api === null || typeof api !== "object" || typeof api.it !== "function")
    throw new TypeError("api.it must be the test framework's test-registration function")
  if (api.describe !== undefined && typeof api.describe !== "function")
    throw new TypeError("api.describe must be a function when given")
  const settleWithinMs = options?.settleWithinMs ?? DEFAULT_SETTLE_WITHIN_MS
  if (typeof settleWithinMs !== "number" || !(settleWithinMs > 0) || !Number.isFinite(settleWithinMs)) {
    throw new TypeError(
      `options.settleWithinMs must be a positive number of milliseconds, got ${String(settleWithinMs)}`
    )
  }
  const register = (prefix: string): void => {
    for (const conformanceCase of CASES) {
      api.it(`${prefix}${conformanceCase.name}`, (context?: ConformanceTestContext) =>
        StoreSession.run(factory, settleWithinMs, async (session) => {
          const missing = conformanceCase.needs.find((need) => !offers(session, need))
          if (missing !== undefined) {
            context?.skip?.(`the store does not offer ${missing}`)
            return
          }
          await conformanceCase.run(session)
        })
      )
    }
  }
  if (api.describe === undefined) register(`${name}: `)
  else api.describe(name, () => register(""))
}

function offers(session: StoreSession, need: ConformanceNeed): boolean {
  if (need === "makeUnavailable") return session.canBeMadeUnavailable
  return typeof session.store[need] === "function"
}
