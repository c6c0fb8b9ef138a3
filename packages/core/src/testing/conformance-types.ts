import type { CredentialStore } from "../policy/credential-store.js"
import type { CredentialAdministration } from "../policy/credential-store-admin.js"

/**
 * The test-registration functions of the caller's framework, so the kit depends on none:
 * vitest's `{ describe, it }` and node:test's `{ describe, it }` both fit as they are.
 */
export interface ConformanceTestApi {
  /**
   * Registers one test; `body` rejects (an `AssertionError` of `node:assert`) when the store
   * fails it. `body` calls the context's `skip` (vitest's and node:test's both fit) for what the
   * subject does not offer (a mechanism it does not implement, no `makeUnavailable`); without a
   * `skip`, such a test passes.
   */
  it(name: string, body: (context?: ConformanceTestContext) => Promise<void>): unknown
  /** Groups the tests under a name; without it each test name is prefixed with the store's name. */
  describe?(name: string, body: () => void): unknown
}

/** What the kit uses of a test framework's per-test context. */
export interface ConformanceTestContext {
  /** Marks the running test as skipped (vitest's throws; node:test's returns). */
  skip?(note?: string): unknown
}

/** A store under test, made afresh for each test by a {@link CredentialStoreFactory}. */
export interface CredentialStoreSubject {
  /** The store whose checks are tested; the kit tests the mechanisms it implements. */
  store: CredentialStore
  /**
   * Makes the changes the tests set up; default: `store`. A change must have reached `store`
   * once its promise resolves (a fleet store's harness may wait for its fleet report here).
   */
  admin?: CredentialAdministration
  /**
   * Cuts the store off from its backend (stops the database, freezes the connection) and
   * resolves once the store knows: its checks must then answer 300 and never allow. Without
   * it, the 300 tests are skipped. A store with a staleness window must be made with none.
   */
  makeUnavailable?(): void | Promise<void>
  /** Releases what the factory made; default: `store.close()`. Called after each test. */
  dispose?(): void | Promise<void>
}

/** Makes a fresh, empty store for one test. */
export type CredentialStoreFactory = () => CredentialStoreSubject | Promise<CredentialStoreSubject>

/** Options of {@link describeCredentialStore}. */
export interface CredentialStoreConformanceOptions {
  /**
   * How long an aborted check may take to settle, in ms; also the bound on every single check.
   * @default 1000
   */
  settleWithinMs?: number
}
