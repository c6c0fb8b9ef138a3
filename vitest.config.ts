import { defineConfig } from "vitest/config"

// Each test file runs in its own process: zeromq's global context (and with it the one ZAP
// endpoint, inproc://zeromq.zap.01) is per process, but shared by worker threads.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: process.env.CI ? ["default"] : ["default"],
  },
})
