import type { ClientWorkload, HandshakeRun } from "./handshake/client-driver.js"
import { createCredentials, type HandshakeCredentials } from "./handshake/credentials.js"
import { RemoteClients } from "./handshake/remote-clients.js"
import { clientWorkload, serveVariant } from "./handshake/served-endpoint.js"
import { THREAD } from "./handshake/thread-variant.js"
import { PROMISE_LOOP, type ZapVariant } from "./handshake/zap-variants.js"
import { formatNumber, type BenchmarkReport, type ResultRow } from "./report/table.js"
import type { BenchSettings } from "./settings.js"
import { interleave, percentile } from "./statistics.js"

/** A way of keeping this process's main thread from running anything else. */
interface Occupation {
  /** How the row and the workload describe it. */
  label: string
  /** Handshakes of a run, and how clients arrive. */
  workload(endpoint: string, credentials: HandshakeCredentials, count: number): ClientWorkload
  /** Starts occupying the main thread; the returned function stops it. */
  occupy(): () => void
}

/** Runs `busyMs` of synchronous work, `periodMs` apart, the first after `firstAfterMs`, until stopped. */
function blockPeriodically(busyMs: number, periodMs: number, firstAfterMs: number): () => void {
  let running = true
  let timer: NodeJS.Timeout
  const block = (): void => {
    if (!running) return
    const started = performance.now()
    while (performance.now() - started < busyMs) {
      // Busy: nothing else runs on this thread, as during a long JSON.parse or a blocking call.
    }
    timer = setTimeout(block, Math.max(0, periodMs - (performance.now() - started)))
  }
  timer = setTimeout(block, firstAfterMs)
  return () => {
    running = false
    clearTimeout(timer)
  }
}

const STALL_MS = 200
const STALL_PERIOD_MS = 1_000
const FIRST_STALL_AFTER_MS = 100
/** Open-loop arrivals: one handshake every 5 ms (200/s, well under what 2 cores serve), at most 128 in flight. */
const ARRIVAL_INTERVAL_MS = 5
const ARRIVALS_IN_FLIGHT = 128

/** The main thread blocked 200 ms once per second; clients keep arriving at their own pace. */
const LONG_STALLS: Occupation = {
  label: `main thread blocked ${STALL_MS} ms once per second`,
  workload: (endpoint, credentials, count) => ({
    ...clientWorkload(endpoint, "CURVE", credentials, count, ARRIVALS_IN_FLIGHT),
    arrivalIntervalMs: ARRIVAL_INTERVAL_MS,
  }),
  occupy: () => blockPeriodically(STALL_MS, STALL_PERIOD_MS, FIRST_STALL_AFTER_MS),
}

const BUSY_MS = 9
const PERIOD_MS = 10
const CLIENTS_AT_ONCE = 8

/** The main thread busy 9 ms of every 10 ms; 8 clients back to back. */
const MOSTLY_BUSY: Occupation = {
  label: "main thread 90% busy",
  workload: (endpoint, credentials, count) => clientWorkload(endpoint, "CURVE", credentials, count, CLIENTS_AT_ONCE),
  occupy: () => blockPeriodically(BUSY_MS, PERIOD_MS, 0),
}

interface LoadCase {
  variant: ZapVariant
  occupation: Occupation
  busy: boolean
}

/**
 * Benchmark 5, busy main thread: p99 CURVE handshake latency while this process's main thread
 * is blocked 200 ms once per second (what the thread adapter is for: a long synchronous parse,
 * a long GC, a blocking call), and while it is 90% busy in short slices, for the promise loop
 * and the thread adapter, each against the same workload with the thread idle.
 */
export async function benchmarkBusyMainThread(settings: BenchSettings): Promise<BenchmarkReport> {
  const credentials = await createCredentials()
  const clients = new RemoteClients()
  const cases: LoadCase[] = [LONG_STALLS, MOSTLY_BUSY].flatMap((occupation) =>
    [PROMISE_LOOP, THREAD].flatMap((variant) => [false, true].map((busy) => ({ variant, occupation, busy })))
  )
  const measure = async (loadCase: LoadCase, count: number): Promise<HandshakeRun> => {
    const served = await serveVariant(loadCase.variant, "CURVE", credentials)
    const release = loadCase.busy ? loadCase.occupation.occupy() : () => undefined
    try {
      const run = await clients.run(loadCase.occupation.workload(served.endpoint, credentials, count))
      if (run.failures > 0)
        throw new Error(`${run.failures} of ${count} handshakes failed with ${loadCase.variant.name}`)
      return run
    } finally {
      release()
      await served.stop()
    }
  }
  const report: BenchmarkReport = {
    title: "5. Busy main thread",
    workload:
      `CURVE, ${settings.busyThreadHandshakes} handshakes per run, clients in a child Node process; ` +
      "the server and the adapter live in this process. " +
      `"Blocked": the main thread runs a ${STALL_MS} ms synchronous loop once per ${STALL_PERIOD_MS} ms ` +
      `(the first ${FIRST_STALL_AFTER_MS} ms into the run) while clients arrive open loop, ` +
      `one every ${ARRIVAL_INTERVAL_MS} ms (at most ${ARRIVALS_IN_FLIGHT} in flight), ` +
      "so every arrival during a stall waits for it. " +
      `"90% busy": it busy-loops ${BUSY_MS} ms of every ${PERIOD_MS} ms ` +
      `while ${CLIENTS_AT_ONCE} clients handshake back to back. ` +
      "Idle baselines run the same client workload with the thread free. " +
      `Interleaved, ${settings.rounds} rounds after a warm-up each; ` +
      `p99 over every measured handshake. Ratio: busy p99 / idle p99 (lower is better).`,
    rows: [],
    notes: [],
  }
  try {
    for (const loadCase of cases) await measure(loadCase, Math.ceil(settings.busyThreadHandshakes / 4))
    const runs = await interleave(cases, settings.rounds, (loadCase) =>
      measure(loadCase, settings.busyThreadHandshakes)
    )
    const p99 = (variant: ZapVariant, occupation: Occupation, busy: boolean): number => {
      const loadCase = cases.find(
        (candidate) => candidate.variant === variant && candidate.occupation === occupation && candidate.busy === busy
      )!
      return percentile(
        runs.get(loadCase)!.flatMap((run) => run.latenciesMs),
        99
      )
    }
    for (const occupation of [LONG_STALLS, MOSTLY_BUSY]) {
      for (const variant of [PROMISE_LOOP, THREAD]) {
        const idle = p99(variant, occupation, false)
        const busy = p99(variant, occupation, true)
        report.rows.push(latencyRow(variant, occupation, busy, idle))
      }
    }
    const stalledLoop = p99(PROMISE_LOOP, LONG_STALLS, true)
    report.notes.push(
      `With ${STALL_MS} ms stalls the promise loop's p99 is ${formatNumber(stalledLoop)} ms ` +
        `(${formatNumber(stalledLoop / STALL_MS)}x the stall): ` +
        "its ZAP replies wait for the main thread. " +
        "The thread adapter decides on its own thread; only CPU contention reaches it."
    )
  } finally {
    await clients.close()
    await credentials.dispose()
  }
  return report
}

function latencyRow(variant: ZapVariant, occupation: Occupation, busy: number, idle: number): ResultRow {
  const ratio = busy / idle
  const row: ResultRow = {
    subject: `${variant.name}, p99 latency, ${occupation.label}`,
    measured: `${formatNumber(busy)} ms`,
    baseline: `idle: ${formatNumber(idle)} ms`,
    ratio,
    target: variant === THREAD ? "<= 2.00x" : "-",
  }
  if (variant === THREAD) row.met = ratio <= 2
  return row
}
