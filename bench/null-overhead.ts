import { createCredentials, type HandshakeCredentials } from "./handshake/credentials.js"
import { RemoteClients } from "./handshake/remote-clients.js"
import { RemoteServer } from "./handshake/remote-server.js"
import { clientWorkload } from "./handshake/served-endpoint.js"
import { threadCpuNs } from "./handshake/thread-cpu.js"
import { HandlerThread, ZapRequestDriver } from "./handshake/zap-requests.js"
import { HANDWRITTEN, PROMISE_LOOP } from "./handshake/zap-variants.js"
import { formatNumber, type BenchmarkReport, type ResultRow } from "./report/table.js"
import type { BenchSettings } from "./settings.js"
import { median, relativeSpread } from "./statistics.js"

/** The target for the promise loop against the hand-written handler on NULL. */
const MINIMUM_RATIO = 0.97
/** Runs per round; in each run both handlers work at the same time. */
const RUNS_PER_ROUND = 6

/** What one handler did in one run. */
interface Run {
  count: number
  wallMs: number
  /** Nanoseconds of CPU of the thread where the handler runs; NaN where not reported. */
  threadCpuNs: number
  /** Nanoseconds of CPU of the handler's process (with libzmq's I/O threads); NaN where not measured. */
  processCpuNs: number
}

/** The runs of one round, per handler. */
interface Round {
  baseline: Run[]
  measured: Run[]
}

/** A figure of a round's runs, summed. */
interface Metric {
  value(total: Run): number
  unit: string
  lowerIsBetter: boolean
}

const RATE: Metric = { value: (run) => (run.count * 1000) / run.wallMs, unit: "/s", lowerIsBetter: false }
const PROCESS_CPU: Metric = { value: (run) => run.processCpuNs / run.count / 1000, unit: "µs", lowerIsBetter: true }
const THREAD_CPU: Metric = { value: (run) => run.threadCpuNs / run.count / 1000, unit: "µs", lowerIsBetter: true }

function total(runs: readonly Run[]): Run {
  const sum = (field: keyof Run): number => runs.reduce((result, run) => result + run[field], 0)
  return {
    count: sum("count"),
    wallMs: sum("wallMs"),
    threadCpuNs: sum("threadCpuNs"),
    processCpuNs: sum("processCpuNs"),
  }
}

/**
 * A row whose ratio (promise loop against hand-written, higher is better) is the median of the
 * rounds' ratios; undefined when the metric was not measured.
 */
function row(subject: string, rounds: readonly Round[], metric: Metric, target?: number): ResultRow | undefined {
  const measured = rounds.map((round) => metric.value(total(round.measured)))
  const baseline = rounds.map((round) => metric.value(total(round.baseline)))
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

/** A warm-up pair, then `settings.rounds` rounds of {@link RUNS_PER_ROUND} pairs. */
async function rounds(
  settings: BenchSettings,
  pair: () => Promise<{ baseline: Run; measured: Run }>
): Promise<Round[]> {
  await pair()
  const result: Round[] = []
  for (let round = 0; round < settings.rounds; round++) {
    const runs: Round = { baseline: [], measured: [] }
    for (let index = 0; index < RUNS_PER_ROUND; index++) {
      const { baseline, measured } = await pair()
      runs.baseline.push(baseline)
      runs.measured.push(measured)
    }
    result.push(runs)
  }
  return result
}

/**
 * NULL handshakes: each handler with its server in a child process of its own, each driven by a
 * client process of its own, both at the same time, so a change of the machine's load hits both
 * alike; each server process's CPU time counts. The client processes swap servers from one run
 * to the next.
 */
async function handshakeRounds(settings: BenchSettings, credentials: HandshakeCredentials): Promise<Round[]> {
  const clients = [new RemoteClients(), new RemoteClients()] as const
  const servers = [HANDWRITTEN, PROMISE_LOOP].map(
    (variant) => new RemoteServer({ variant: variant.name, mechanism: "NULL", credentials })
  ) as [RemoteServer, RemoteServer]
  let runs = 0
  const serve = async (server: RemoteServer, client: RemoteClients): Promise<Run> => {
    const before = await server.cpu()
    const workload = {
      ...clientWorkload(
        await server.endpoint,
        "NULL",
        credentials,
        Number.MAX_SAFE_INTEGER,
        settings.handshakeConcurrency
      ),
      durationMs: settings.nullOverheadRunMs,
    }
    const outcome = await client.run(workload)
    const after = await server.cpu()
    const count = outcome.latenciesMs.length
    if (outcome.failures > 0)
      throw new Error(`${outcome.failures} of ${count + outcome.failures} NULL handshakes failed`)
    return {
      count,
      wallMs: outcome.elapsedMs,
      threadCpuNs: after.threadCpuNs - before.threadCpuNs,
      processCpuNs: after.processCpuNs - before.processCpuNs,
    }
  }
  const pair = async (): Promise<{ baseline: Run; measured: Run }> => {
    const [first, second] = runs++ % 2 === 0 ? clients : [clients[1], clients[0]]
    const [baseline, measured] = await Promise.all([serve(servers[0], first), serve(servers[1], second)])
    return { baseline, measured }
  }
  try {
    return await rounds(settings, pair)
  } finally {
    for (const client of clients) await client.close()
    for (const server of servers) await server.close()
  }
}

/**
 * Pre-built NULL ZAP requests: a worker thread queues a burst at two fresh inproc addresses, then
 * both handlers, each in a worker thread of its own, bind one and answer their queue flat out at
 * the same time, so a change of the machine's load hits both alike; each thread's CPU time counts.
 * The two threads swap handlers from one run to the next.
 */
async function zapRounds(settings: BenchSettings): Promise<Round[]> {
  const driver = new ZapRequestDriver()
  const threads = [new HandlerThread(), new HandlerThread()] as const
  let address = 0
  const count = Math.ceil(settings.zapRequestsPerRun / RUNS_PER_ROUND)
  const pair = async (): Promise<{ baseline: Run; measured: Run }> => {
    const [first, second] = address % 4 === 0 ? threads : [threads[1], threads[0]]
    const endpoints = [`inproc://bench-null-overhead-${address++}`, `inproc://bench-null-overhead-${address++}`]
    for (const endpoint of endpoints) await driver.fill(endpoint, count)
    await Promise.all([first.start("hand-written", endpoints[0]!), second.start("promise loop", endpoints[1]!)])
    for (const endpoint of endpoints) await driver.drain(endpoint)
    const [baselineCpuNs, measuredCpuNs] = await Promise.all([first.stop(), second.stop()])
    const run = (threadCpuNs: number): Run => ({ count, wallMs: Number.NaN, threadCpuNs, processCpuNs: Number.NaN })
    return { baseline: run(baselineCpuNs), measured: run(measuredCpuNs) }
  }
  try {
    return await rounds(settings, pair)
  } finally {
    await driver.close()
    for (const thread of threads) await thread.close()
  }
}

/**
 * Benchmark 9, NULL overhead of the promise loop (`ZapHandler` serving the engine) against the
 * hand-written handler: handshake rates and CPU time per handshake, then the CPU time of the
 * handler alone per ZAP request. CPU times are what the scheduler counted, which other processes
 * competing for the cores do not inflate.
 */
export async function benchmarkNullOverhead(settings: BenchSettings): Promise<BenchmarkReport> {
  const credentials = await createCredentials(1)
  const rows: Array<ResultRow | undefined> = []
  try {
    const handshakes = await handshakeRounds(settings, credentials)
    rows.push(
      row("NULL handshakes, promise loop: handshakes/s", handshakes, RATE, MINIMUM_RATIO),
      row("NULL handshakes, promise loop: server process CPU per handshake", handshakes, PROCESS_CPU, MINIMUM_RATIO),
      row("NULL handshakes, promise loop: main thread CPU per handshake", handshakes, THREAD_CPU)
    )
    const requests = await zapRounds(settings)
    rows.push(row("NULL ZAP requests, promise loop: handler thread CPU per request", requests, THREAD_CPU))
  } finally {
    await credentials.dispose()
  }
  return {
    title: "9. NULL overhead",
    workload:
      "The promise loop (ZapHandler serving the engine) against the hand-written handler, both at work " +
      "at the same time in every run, so a change of the machine's load hits both alike. Rows 1-3: " +
      "each handler with a ROUTER hardened with requireZap in a child process of its own, each driven " +
      "by a client process of its own (the client driver of benchmark 1, " +
      `${settings.handshakeConcurrency} clients at once); both client processes start together and ` +
      `start handshakes for ${settings.nullOverheadRunMs} ms, so the two servers share the machine for ` +
      "all of each run, and the handshakes done count. Row 4: the handler alone, each in a worker thread of its own, " +
      "answering a burst of pre-built NULL ZAP requests queued by a DEALER at an inproc address before " +
      `the handler binds it (${settings.zapRequestsPerRun} per round and handler), so no handshake ` +
      "dilutes its cost. CPU times are the scheduler's (a process waiting for a core accumulates none); " +
      `cost ratios are hand-written / promise loop. ${settings.rounds} rounds of ${RUNS_PER_ROUND} runs ` +
      "after a warm-up run; the ratio is the median of the rounds' ratios, the spread (largest - " +
      "smallest) / median of those ratios.",
    rows: rows.filter((result) => result !== undefined),
    notes: [
      "Row 1 compares two runs made at the same time: when one server is slower, the machine is shared " +
        "more by the client of the other, which narrows the gap; the CPU rows measure the overhead.",
      ...(threadCpuNs() === undefined
        ? ["No per-thread CPU time on this platform: the thread CPU rows are skipped."]
        : []),
    ],
  }
}
