import { beforeAll } from "vitest"

/** Stryker's per-process namespace: the mutant it activated for this run, if any. */
interface StrykerNamespace {
  activeMutant?: string | number
}

// Worker threads (ThreadAuthenticator) have their own globals but copy process.env when they
// start: the instrumented worker code reads the active mutant from there.
beforeAll(() => {
  const active = (globalThis as { __stryker__?: StrykerNamespace }).__stryker__?.activeMutant
  if (active === undefined) delete process.env.__STRYKER_ACTIVE_MUTANT__
  else process.env.__STRYKER_ACTIVE_MUTANT__ = String(active)
})
