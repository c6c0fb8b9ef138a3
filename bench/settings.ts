/**
 * Workload sizes of every benchmark. `--quick` (or `BENCH_QUICK=1`) shrinks them for a smoke
 * run whose numbers mean nothing; the full sizes keep the whole suite within a few minutes.
 */
export interface BenchSettings {
  /** Whether this is a smoke run. */
  quick: boolean
  /** Measured rounds per variant (interleaved); the median is reported. */
  rounds: number
  /** Handshakes per run of the handshake benchmarks. */
  handshakesPerRun: number
  /** Clients connecting at once in the handshake benchmarks. */
  handshakeConcurrency: number
  /** Decisions timed per run of the engine benchmark. */
  decisionsPerRun: number
  /** PLAIN users and CURVE keys configured in the engine benchmark. */
  engineTableSize: number
  /** Handshakes per run of the slow credential store benchmark (64 at once). */
  slowStoreHandshakes: number
  /** Handshakes per run of the busy main thread benchmark. */
  busyThreadHandshakes: number
  /** Certificate files loaded by the certificate benchmark. */
  certificateFiles: number
  /** CURVE keys whose memory is measured. */
  memoryKeys: number
  /** Milliseconds of NULL handshakes per run of the NULL overhead benchmark (both handlers at once). */
  nullOverheadRunMs: number
  /** ZAP requests per run of the NULL overhead benchmark. */
  zapRequestsPerRun: number
  /** Handshakes per window counted under callgrind (NULL overhead benchmark). */
  instructionHandshakes: number
  /** ZAP requests per window counted under callgrind (NULL overhead benchmark). */
  instructionRequests: number
  /** Windows per handler counted under callgrind before the measured ones (V8 compiles meanwhile). */
  instructionWarmups: number
}

function isQuick(): boolean {
  return process.argv.includes("--quick") || process.env["BENCH_QUICK"] === "1"
}

/** The settings of this run. */
export function benchSettings(): BenchSettings {
  const quick = isQuick()
  return {
    quick,
    rounds: quick ? 1 : 5,
    handshakesPerRun: quick ? 64 : 800,
    handshakeConcurrency: 32,
    decisionsPerRun: quick ? 20_000 : 100_000,
    engineTableSize: quick ? 10_000 : 100_000,
    slowStoreHandshakes: quick ? 128 : 640,
    busyThreadHandshakes: quick ? 100 : 400,
    certificateFiles: quick ? 1_000 : 10_000,
    memoryKeys: quick ? 10_000 : 100_000,
    nullOverheadRunMs: quick ? 100 : 1_000,
    zapRequestsPerRun: quick ? 2_000 : 120_000,
    instructionHandshakes: quick ? 100 : 3_000,
    instructionRequests: quick ? 100 : 3_000,
    instructionWarmups: quick ? 1 : 4,
  }
}
