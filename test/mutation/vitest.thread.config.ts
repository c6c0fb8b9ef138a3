import type { UserConfig } from "vitest/config"
import base from "./vitest.config.js"

// The thread worker's replay runs inside worker threads, where Stryker's per-test coverage sees
// nothing: its mutants run with coverage analysis off, against the thread suites only.
const config: UserConfig = {
  ...base,
  test: { ...base.test, include: ["test/thread/{configuration,call-order,replay,stale-callback}.test.ts"] },
}
export default config
