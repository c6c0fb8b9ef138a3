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
    alias: {
      "@zmq-auth/core": built("core"),
      "@zmq-auth/thread": built("thread"),
      "@zmq-auth/rx": built("rx"),
    },
  },
  test: {
    include: ["test/{core,faults,fuzz,conformance,thread,rx}/**/*.test.ts"],
    setupFiles: ["test/mutation/mutant-env.ts"],
    env: { FUZZ_RUNS: process.env.FUZZ_RUNS ?? "300" },
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})
