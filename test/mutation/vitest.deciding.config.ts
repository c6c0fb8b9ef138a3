import { defineConfig } from "vitest/config"
import base from "./vitest.config.js"

// Part H (test/README.md): the suites that decide and answer, for mutation runs on the deciding and
// replying lines of the engine and the handler.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      "test/core/*.test.ts",
      "test/faults/callbacks-loop.test.ts",
      "test/metrics/loop.test.ts",
      "test/thread/{configuration,call-order,replay}.test.ts",
      "test/rx/{authenticate,exchange-replies}.test.ts",
    ],
  },
})
