import { defineConfig } from "vitest/config"
import base from "./vitest.config.js"

// The thread suites alone, for mutation runs on the thread package's files.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      "test/thread/{configuration,call-order,replay,stale-callback}.test.ts",
      "test/thread/{apply-configuration,replay-policy,stop-during-replay,policy-record,configuration-check}.test.ts",
    ],
  },
})
