// Mutation testing of the security-critical sources: `npm run mutation` (not part of `npm test`).
// The tests run against the built packages (thread workers need JS), so the sandbox builds the
// instrumented sources and test/mutation/vitest.config.ts points the package names at that build.
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: { configFile: "test/mutation/vitest.config.ts", related: false },
  checkers: ["typescript"],
  tsconfigFile: "test/mutation/tsconfig.json",
  buildCommand: "npx tsc -b packages/core packages/thread packages/rx",
  coverageAnalysis: "perTest",
  // Static mutants (module-level constants) would rerun every test for each: left out for time.
  ignoreStatic: true,
  // Only the mutated sources get // @ts-nocheck: the tests compare some files verbatim.
  disableTypeChecks: "packages/*/src/**/*.ts",
  mutate: [
    "packages/core/src/policy/**/*.ts",
    "packages/core/src/zap/**/*.ts",
    "packages/core/src/handler/**/*.ts",
    "packages/thread/src/apply-configuration.ts",
    "packages/thread/src/recorded-policy.ts",
    "packages/thread/src/configuration-check.ts",
    "packages/thread/src/worker.ts",
    "packages/thread/src/replay-policy.ts",
    "packages/thread/src/early-calls.ts",
    "packages/thread/src/configure-answer.ts",
    "packages/rx/src/zap-requests.ts",
  ],
  ignorePatterns: ["reports", "build", "**/*.tsbuildinfo"],
  concurrency: 2,
  timeoutMS: 20_000,
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  thresholds: { high: 90, low: 80, break: null },
}
