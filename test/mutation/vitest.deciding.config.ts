import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

const root = fileURLToPath(new URL("../../", import.meta.url))
const built = (name: string): string => fileURLToPath(new URL(`../../packages/${name}/dist/index.js`, import.meta.url))

// Stryker's sandbox links node_modules to the original checkout, where @zmq-auth/* would resolve to
// the unmutated build: the package names point at the sandbox's own (instrumented) build instead.
export default defineConfig({
  root,
  plugins: [
    {
      // Stryker asks for worker threads, but a thread torn down with zeromq sockets open aborts
      // the process: every test file gets a process of its own instead, as in `npm test`.
      name: "zmq-auth:forks",
      configureVitest({ project }) {
        project.config.pool = "forks"
      },
    },
  ],
  resolve: {
    alias: [
      {
        find: /^@zmq-auth\/core\/internal$/,
        replacement: fileURLToPath(new URL("../../packages/core/dist/internal.js", import.meta.url)),
      },
      {
        find: /^@zmq-auth\/core\/testing$/,
        replacement: fileURLToPath(new URL("../../packages/core/dist/testing/index.js", import.meta.url)),
      },
      { find: /^@zmq-auth\/core$/, replacement: built("core") },
      { find: /^@zmq-auth\/thread$/, replacement: built("thread") },
      { find: /^@zmq-auth\/rx$/, replacement: built("rx") },
    ],
  },
  test: {
    // Part H (test/README.md): the suites that decide and answer, for runs on the deciding and
    // replying lines of the engine and the handler; the full set is in vitest.config.ts.
    include: [
      "test/core/*.test.ts",
      "test/faults/callbacks-loop.test.ts",
      "test/metrics/loop.test.ts",
      "test/thread/{configuration,call-order,replay}.test.ts",
      "test/rx/{authenticate,exchange-replies}.test.ts",
    ],
    setupFiles: ["test/mutation/mutant-env.ts"],
    env: { FUZZ_RUNS: process.env.FUZZ_RUNS ?? "300" },
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})
