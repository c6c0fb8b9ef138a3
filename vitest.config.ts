import { configDefaults, defineConfig } from "vitest/config"

// Each test file runs in its own process: zeromq's global context (and with it the one ZAP
// endpoint, inproc://zeromq.zap.01) is per process, but shared by worker threads.
export default defineConfig({
  test: {
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: process.env.CI ? ["default"] : ["default"],
    projects: [
      {
        extends: true,
        test: {
          name: "main",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, "test/redis/**", "test/redis-cluster/**"],
        },
      },
      // Each Redis test file starts its own redis-server and injects faults with timing budgets:
      // one file at a time, so a loaded machine does not pass for a dead Redis.
      { extends: true, test: { name: "redis", include: ["test/redis/**/*.test.ts"], fileParallelism: false } },
    ],
  },
})
