import { defineConfig } from "vitest/config"

// Opt-in (not part of npm test): npm run test:redis-cluster
export default defineConfig({
  test: {
    include: ["test/redis-cluster/**/*.test.ts"],
    pool: "forks",
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
