import { Authenticator, ZAP_ENDPOINT, ZapHandler } from "@zmq-auth/core"
import { Context } from "zeromq"
import { createCredentials, type HandshakeCredentials } from "./handshake/credentials.js"
import { startHandwrittenHandler } from "./handshake/handwritten-handler.js"
import { configurePolicy } from "./handshake/policy.js"
import { RemoteClients } from "./handshake/remote-clients.js"
import { clientWorkload } from "./handshake/served-endpoint.js"
import { startServer, type BenchServer } from "./handshake/server.js"
import { mainThreadCpuNs, processCpuNs } from "./handshake/thread-cpu.js"
import { ZapRequestDriver } from "./handshake/zap-requests.js"
import { formatNumber, type BenchmarkReport, type ResultRow } from "./report/table.js"
import type { BenchSettings } from "./settings.js"
import { median, relativeSpread } from "./statistics.js"

/** The target for the promise loop against the hand-written handler on NULL. */
const MINIMUM_RATIO = 0.97
/** Short runs alternated within a round, so that a change of the machine's load hits both alike. */
const RUNS_PER_ROUND = 4

/** A handler of this benchmark: the baseline or the promise loop, bound where it is told. */
interface Handler {
  name: string
  start(endpoint: string, credentials: HandshakeCredentials, context?: Context): Promise<() => Promise<void>>
}

const HANDWRITTEN: Handler = {
  name: "hand-written",
  start: (endpoint, _credentials, context) => startHandwrittenHandler(endpoint, context),
}

const PROMISE_LOOP: Handler = {
  name: "promise loop",
  async start(endpoint, credentials, context) {
    const authenticator = new Authenticator()
    await configurePolicy(authenticator, credentials)
    const handler = new ZapHandler(authenticator, context === undefined ? { endpoint } : { endpoint, context })
    await handler.start()
    return () => handler.stop()
  },
}

/** What some runs of one handler did, summed. */
interface Totals {
  count: number
  wallMs: number
  /** Nanoseconds of CPU of the main thread (where the handler runs); NaN where not reported. */
  threadCpuNs: number
  /** Nanoseconds of CPU of this process (main thread and libzmq's I/O threads). */
  processCpuNs: number
}

const EMPTY_TOTALS: Totals = { count: 0, wallMs: 0, threadCpuNs: 0, processCpuNs: 0 }

/** Runs `work` (which does `count` requests and resolves with their wall time) and adds what it cost to `totals`. */
async function measure(totals: Totals, count: number, work: () => Promise<number>): Promise<Totals> {
  const thread = mainThreadCpuNs() ?? Number.NaN
  const process = processCpuNs()
  const wallMs = await work()
  return {
    count: totals.count + count,
    wallMs: totals.wallMs + wallMs,
    threadCpuNs: totals.threadCpuNs + (mainThreadCpuNs() ?? Number.NaN) - thread,
    processCpuNs: totals.processCpuNs + processCpuNs() - process,
  }
}

/** One round: the baseline's and the promise loop's totals. */
interface Round {
  baseline: Totals
  measured: Totals
}

/**
 * Runs `rounds` rounds; in each, {@link RUNS_PER_ROUND} runs per handler, alternating (ABBA...)
 * so a drift of the machine within the round favours neither.
 */
async function alternate(rounds: number, run: (handler: Handler, totals: Totals) => Promise<Totals>): Promise<Round[]> {
  const result: Round[] = []
  for (let round = 0; round < rounds; round++) {
    let baseline = EMPTY_TOTALS
    let measured = EMPTY_TOTALS
    for (let index = 0; index < RUNS_PER_ROUND * 2; index++) {
      if ((index + Math.floor(index / 2)) % 2 === 0) baseline = await run(HANDWRITTEN, baseline)
      else measured = await run(PROMISE_LOOP, measured)
    }
    result.push({ baseline, measured })
  }
  return result
}

/** A figure of a run's totals for which lower is better (a cost), or higher (a rate). */
interface Metric {
  value(totals: Totals): number
  unit: string
  lowerIsBetter: boolean
}

const RATE: Metric = { value: (totals) => (totals.count * 1000) / totals.wallMs, unit: "/s", lowerIsBetter: false }
const PROCESS_CPU: Metric = {
  value: (totals) => totals.processCpuNs / totals.count / 1000,
  unit: "µs",
  lowerIsBetter: true,
}
const THREAD_CPU: Metric = {
  value: (totals) => totals.threadCpuNs / totals.count / 1000,
  unit: "µs",
  lowerIsBetter: true,
}

/** A row whose ratio is the median of the rounds' ratios (promise loop against hand-written, higher is better). */
function row(subject: string, rounds: readonly Round[], metric: Metric, target?: number): ResultRow | undefined {
  const measured = rounds.map((round) => metric.value(round.measured))
  const baseline = rounds.map((round) => metric.value(round.baseline))
  if ([...measured, ...baseline].some((value) => !Number.isFinite(value))) return undefined
  const ratios = rounds.map((_, index) =>
    metric.lowerIsBetter ? baseline[index]! / measured[index]! : measured[index]! / baseline[index]!
  )
  const ratio = median(ratios)
  const result: ResultRow = {
    subject,
    measured:
      `${formatNumber(median(measured))} ${metric.unit}; ratio spread ${(relativeSpread(ratios) * 100).toFixed(1)}% ` +
      `(${Math.min(...ratios).toFixed(3)}-${Math.max(...ratios).toFixed(3)})`,
    baseline: `hand-written: ${formatNumber(median(baseline))} ${metric.unit}`,
    ratio,
    target: target === undefined ? "-" : `>= ${target.toFixed(2)}x`,
  }
  if (target !== undefined) result.met = ratio >= target
  return result
}

/**
 * NULL handshakes: each handler serves its own zeromq context, with a server hardened with
 * requireZap in it, both bound for the whole benchmark, so short runs can alternate at no cost.
 */
async function handshakeRounds(settings: BenchSettings, credentials: HandshakeCredentials): Promise<Round[]> {
  const clients = new RemoteClients()
  const started: Array<() => Promise<void>> = []
  const servers = new Map<Handler, BenchServer>()
  try {
    for (const handler of [HANDWRITTEN, PROMISE_LOOP]) {
      const context = new Context()
      started.push(await handler.start(ZAP_ENDPOINT, credentials, context))
      const server = await startServer("NULL", true, credentials.serverKeys, context)
      started.push(() => Promise.resolve(server.close()))
      servers.set(handler, server)
    }
    const count = Math.ceil(settings.nullOverheadHandshakes / RUNS_PER_ROUND)
    const run = (handler: Handler, totals: Totals, handshakes: number): Promise<Totals> =>
      measure(totals, handshakes, async () => {
        const workload = clientWorkload(
          servers.get(handler)!.endpoint,
          "NULL",
          credentials,
          handshakes,
          settings.handshakeConcurrency
        )
        const outcome = await clients.run(workload)
        if (outcome.failures > 0) throw new Error(`${outcome.failures} NULL handshakes failed with ${handler.name}`)
        return outcome.elapsedMs
      })
    for (const handler of [HANDWRITTEN, PROMISE_LOOP]) await run(handler, EMPTY_TOTALS, count)
    return await alternate(settings.rounds, (handler, totals) => run(handler, totals, count))
  } finally {
    await clients.close()
    // Servers first (pushed after their handler): a quiet moment, then the handlers.
    for (const stop of started.filter((_, index) => index % 2 === 1)) await stop()
    await new Promise((resolve) => setTimeout(resolve, 100))
    for (const stop of started.filter((_, index) => index % 2 === 0)) await stop()
  }
}

/**
 * Pre-built NULL ZAP requests: a worker thread queues a burst at a fresh inproc address, the
 * handler binds it and answers the whole queue flat out; only this thread's CPU time counts.
 */
async function zapRounds(settings: BenchSettings, credentials: HandshakeCredentials): Promise<Round[]> {
  const driver = new ZapRequestDriver()
  let address = 0
  const count = Math.ceil(settings.zapRequestsPerRun / RUNS_PER_ROUND)
  const run = async (handler: Handler, totals: Totals, requests: number): Promise<Totals> => {
    const endpoint = `inproc://bench-null-overhead-${address++}`
    await driver.fill(endpoint, requests)
    let stop: (() => Promise<void>) | undefined
    try {
      return await measure(totals, requests, async () => {
        const started = performance.now()
        stop = await handler.start(endpoint, credentials)
        await driver.drain()
        return performance.now() - started
      })
    } finally {
      await stop?.()
    }
  }
  try {
    for (const handler of [HANDWRITTEN, PROMISE_LOOP]) await run(handler, EMPTY_TOTALS, count)
    return await alternate(settings.rounds, (handler, totals) => run(handler, totals, count))
  } finally {
    await driver.close()
  }
}

/**
 * Benchmark 9, NULL overhead of the promise loop (`ZapHandler` serving the engine) against the
 * hand-written handler: handshake rates and CPU time per handshake, then the CPU time of the
 * handler alone per ZAP request. CPU times are what the scheduler counted, which other processes
 * competing for the cores do not inflate.
 */
export async function benchmarkNullOverhead(settings: BenchSettings): Promise<BenchmarkReport> {
  const credentials = await createCredentials()
  const rows: Array<ResultRow | undefined> = []
  try {
    const handshakes = await handshakeRounds(settings, credentials)
    rows.push(
      row("NULL handshakes, promise loop: handshakes/s", handshakes, RATE, MINIMUM_RATIO),
      row("NULL handshakes, promise loop: server process CPU per handshake", handshakes, PROCESS_CPU, MINIMUM_RATIO),
      row("NULL handshakes, promise loop: main thread CPU per handshake", handshakes, THREAD_CPU)
    )
    const requests = await zapRounds(settings, credentials)
    rows.push(row("NULL ZAP requests, promise loop: main thread CPU per request", requests, THREAD_CPU))
  } finally {
    await credentials.dispose()
  }
  return {
    title: "9. NULL overhead",
    workload:
      `Rows 1-3: ${settings.nullOverheadHandshakes} NULL handshakes per round and handler, ${settings.handshakeConcurrency} ` +
      "clients at once in a child Node process (the client driver of benchmark 1), against a ROUTER hardened with " +
      "requireZap in this process; each handler (the promise loop, i.e. ZapHandler serving the engine, or the hand-written " +
      "one) serves its own zeromq context with its own server. Row 4: bursts of pre-built NULL ZAP requests " +
      `(${settings.zapRequestsPerRun} per round and handler) queued by a DEALER in a worker thread at an inproc address ` +
      "before the handler binds it, so the handler answers flat out and no handshake dilutes its cost. CPU times are the " +
      "scheduler's (a process waiting for a core does not accumulate any); cost ratios are hand-written / promise loop. " +
      `${settings.rounds} rounds after a warm-up run each; in a round ${RUNS_PER_ROUND} runs per handler alternate (ABBA). ` +
      "The ratio is the median of the rounds' ratios; the spread is (largest - smallest) / median of those ratios.",
    rows: rows.filter((result) => result !== undefined),
    notes:
      mainThreadCpuNs() === undefined ? ["No per-thread CPU time on this platform: main thread rows skipped."] : [],
  }
}
