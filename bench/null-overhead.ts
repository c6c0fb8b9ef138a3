import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { callgrindAvailable } from "./handshake/callgrind.js"
import { createCredentials, type HandshakeCredentials } from "./handshake/credentials.js"
import { RemoteClients } from "./handshake/remote-clients.js"
import { RemoteServer } from "./handshake/remote-server.js"
import type { NullHandlerKind } from "./handshake/null-handlers.js"
import { countRequestInstructions } from "./handshake/request-instructions.js"
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
/** A handshake with a server under callgrind (about fifty times slower) counts as failed after this. */
const CALLGRIND_HANDSHAKE_TIMEOUT_MS = 60_000

/** What one handler did in one run. */
interface Run {
  count: number
  wallMs: number
  /** Nanoseconds of CPU of the thread where the handler runs; NaN where not reported. */
  threadCpuNs: number
  /** Nanoseconds of CPU of the handler's process (with libzmq's I/O threads); NaN where not measured. */
  processCpuNs: number
  /** Instructions executed for the run, counted by callgrind; NaN where not counted. */
  instructions: number
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
const INSTRUCTIONS: Metric = { value: (run) => run.instructions / run.count, unit: "instructions", lowerIsBetter: true }

function total(runs: readonly Run[]): Run {
  const sum = (field: keyof Run): number => runs.reduce((result, run) => result + run[field], 0)
  return {
    count: sum("count"),
    wallMs: sum("wallMs"),
    threadCpuNs: sum("threadCpuNs"),
    processCpuNs: sum("processCpuNs"),
    instructions: sum("instructions"),
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
      instructions: Number.NaN,
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
    const run = (threadCpuNs: number): Run => ({
      count,
      wallMs: Number.NaN,
      threadCpuNs,
      processCpuNs: Number.NaN,
      instructions: Number.NaN,
    })
    return { baseline: run(baselineCpuNs), measured: run(measuredCpuNs) }
  }
  try {
    return await rounds(settings, pair)
  } finally {
    await driver.close()
    for (const thread of threads) await thread.close()
  }
}

/** A run of which only the instructions were counted. */
function countedRun(count: number, instructions: number): Run {
  return { count, wallMs: Number.NaN, threadCpuNs: Number.NaN, processCpuNs: Number.NaN, instructions }
}

/**
 * NULL handshakes with both servers under callgrind at the same time, each driven by a client
 * process of its own (not counted): per round, each server's instructions over
 * `settings.instructionHandshakes` handshakes, every thread of its process included. An instruction
 * count does not depend on what else the machine runs, so the rounds need no interleaving.
 */
async function handshakeInstructionRounds(
  settings: BenchSettings,
  credentials: HandshakeCredentials
): Promise<Round[]> {
  const directory = await mkdtemp(join(tmpdir(), "zmq-auth-callgrind-"))
  const servers = [HANDWRITTEN, PROMISE_LOOP].map(
    (variant, index) =>
      new RemoteServer(
        { variant: variant.name, mechanism: "NULL", credentials },
        { callgrindOutFile: join(directory, `server-${index}.out`) }
      )
  ) as [RemoteServer, RemoteServer]
  const clients = [new RemoteClients(), new RemoteClients()] as const
  const window = async (index: 0 | 1): Promise<Run> => {
    const server = servers[index]
    const workload = clientWorkload(
      await server.endpoint,
      "NULL",
      credentials,
      settings.instructionHandshakes,
      settings.handshakeConcurrency
    )
    const outcome = await clients[index].run({ ...workload, timeoutMs: CALLGRIND_HANDSHAKE_TIMEOUT_MS })
    if (outcome.failures > 0) throw new Error(`${outcome.failures} NULL handshakes failed under callgrind`)
    return countedRun(outcome.latenciesMs.length, await server.instructions())
  }
  try {
    for (let warmup = 0; warmup < settings.instructionWarmups; warmup++) await Promise.all([window(0), window(1)])
    const result: Round[] = []
    for (let round = 0; round < settings.rounds; round++) {
      const [baseline, measured] = await Promise.all([window(0), window(1)])
      result.push({ baseline: [baseline], measured: [measured] })
    }
    return result
  } finally {
    for (const client of clients) await client.close()
    for (const server of servers) await server.close()
    await rm(directory, { recursive: true, force: true })
  }
}

/**
 * NULL ZAP requests answered by each handler alone, counted under callgrind (instruction-burst.ts),
 * each handler in a process of its own, both processes at once.
 */
async function requestInstructionRounds(settings: BenchSettings): Promise<Round[]> {
  const count = (kind: NullHandlerKind): Promise<number[]> =>
    countRequestInstructions({
      kind,
      count: settings.instructionRequests,
      rounds: settings.rounds,
      warmups: settings.instructionWarmups,
    })
  const [baseline, measured] = await Promise.all([count("hand-written"), count("promise loop")])
  return baseline.map((instructions, index) => ({
    baseline: [countedRun(1, instructions)],
    measured: [countedRun(1, measured[index]!)],
  }))
}

/**
 * Benchmark 9, NULL overhead of the promise loop (`ZapHandler` serving the engine) against the
 * hand-written handler: handshake rates and CPU time per handshake, the CPU time of the handler
 * alone per ZAP request, then (where valgrind is installed) the instructions of each, which do
 * not depend on the machine's load. CPU times are what the scheduler counted, which other
 * processes competing for the cores do not inflate.
 */
export async function benchmarkNullOverhead(settings: BenchSettings): Promise<BenchmarkReport> {
  const credentials = await createCredentials(1)
  const rows: Array<ResultRow | undefined> = []
  const counting = callgrindAvailable()
  try {
    const handshakes = await handshakeRounds(settings, credentials)
    rows.push(
      row("NULL handshakes, promise loop: handshakes/s", handshakes, RATE, MINIMUM_RATIO),
      row("NULL handshakes, promise loop: server process CPU per handshake", handshakes, PROCESS_CPU, MINIMUM_RATIO),
      row("NULL handshakes, promise loop: main thread CPU per handshake", handshakes, THREAD_CPU)
    )
    const requests = await zapRounds(settings)
    rows.push(row("NULL ZAP requests, promise loop: handler thread CPU per request", requests, THREAD_CPU))
    if (counting) {
      // Instruction counts do not depend on the load: the three processes under callgrind run at once.
      const [handshakeCounts, requestCounts] = await Promise.all([
        handshakeInstructionRounds(settings, credentials),
        requestInstructionRounds(settings),
      ])
      rows.push(
        row(
          "NULL handshakes, promise loop: server process instructions per handshake",
          handshakeCounts,
          INSTRUCTIONS,
          MINIMUM_RATIO
        ),
        row("NULL ZAP requests, promise loop: handler thread instructions per request", requestCounts, INSTRUCTIONS)
      )
    }
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
      "smallest) / median of those ratios. Rows 5-6 count instructions with valgrind's callgrind " +
      "instead of timing: row 5 as rows 1-2, both servers under callgrind (every thread of the " +
      "process counted), the clients not; row 6 as row 4, each handler in a process of its own " +
      "under callgrind, in its main thread (counted apart, V8 collecting garbage and compiling on " +
      "that thread), the requests queued before the bind and the replies read after the window by " +
      "a worker thread (not counted), less the count of a window with no request. " +
      `${settings.instructionWarmups} warm-up windows, then ` +
      `${settings.rounds} rounds per handler of one window of ${settings.instructionHandshakes} ` +
      `handshakes (row 5), or the smaller of two windows of ${settings.instructionRequests} ` +
      "requests (row 6; what falls into a window by chance only adds instructions).",
    rows: rows.filter((result) => result !== undefined),
    notes: [
      "Row 1 compares two runs made at the same time: when one server is slower, the machine is shared " +
        "more by the client of the other, which narrows the gap; the CPU rows measure the overhead.",
      ...(threadCpuNs() === undefined
        ? ["No per-thread CPU time on this platform: the thread CPU rows are skipped."]
        : []),
      "CPU times change from round to round with the machine's load: on a shared virtual machine, " +
        "work of the host's other guests slows a core without this one seeing it. Instruction " +
        "counts (rows 5-6) do not depend on it; what moves them is a garbage collection or a " +
        "compilation falling into one window rather than another.",
      ...(counting
        ? [
            "Instructions are not time (cache misses and branches cost more than others), but they " +
              "count the work each handler asks of the CPU whatever else the machine runs.",
          ]
        : ["valgrind (callgrind) is not installed: the instruction rows are skipped."]),
    ],
  }
}
