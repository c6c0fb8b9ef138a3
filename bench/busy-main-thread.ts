import { type HandshakeRun } from "./handshake/client-driver.js"
import { createCredentials } from "./handshake/credentials.js"
import { RemoteClients } from "./handshake/remote-clients.js"
import { clientWorkload, serveVariant } from "./handshake/served-endpoint.js"
import { THREAD } from "./handshake/thread-variant.js"
import { PROMISE_LOOP, type ZapVariant } from "./handshake/zap-variants.js"
import { formatNumber, type BenchmarkReport } from "./report/table.js"
import type { BenchSettings } from "./settings.js"
import { interleave, percentile } from "./statistics.js"

const BUSY_MS = 9
const PERIOD_MS = 10
const CLIENTS_AT_ONCE = 8

/** Keeps this thread busy `BUSY_MS` of every `PERIOD_MS`, until the returned function is called. */
function occupyMainThread(): () => void {
  let running = true
  const spin = (): void => {
    if (!running) return
    const until = performance.now() + BUSY_MS
    while (performance.now() < until) {
      // Busy: nothing else runs on this thread.
    }
    setTimeout(spin, PERIOD_MS - BUSY_MS)
  }
  setTimeout(spin, 0)
  return () => {
    running = false
  }
}

interface LoadCase {
  variant: ZapVariant
  busy: boolean
}

/**
 * Benchmark 5, busy main thread: p99 CURVE handshake latency while this process's main thread
 * is 90% busy, clients in a child process, for the promise loop and the thread adapter.
 */
export async function benchmarkBusyMainThread(settings: BenchSettings): Promise<BenchmarkReport> {
  const credentials = await createCredentials()
  const clients = new RemoteClients()
  const cases: LoadCase[] = [PROMISE_LOOP, THREAD].flatMap((variant) => [{ variant, busy: false }, { variant, busy: true }])
  const measure = async (loadCase: LoadCase, count: number): Promise<HandshakeRun> => {
    const served = await serveVariant(loadCase.variant, "CURVE", credentials)
    const release = loadCase.busy ? occupyMainThread() : () => undefined
    try {
      const run = await clients.run(clientWorkload(served.endpoint, "CURVE", credentials, count, CLIENTS_AT_ONCE))
      if (run.failures > 0) throw new Error(`${run.failures} of ${count} handshakes failed with ${loadCase.variant.name}`)
      return run
    } finally {
      release()
      await served.stop()
    }
  }
  const report: BenchmarkReport = {
    title: "5. Busy main thread",
    workload:
      `CURVE, ${settings.busyThreadHandshakes} handshakes per run, ${CLIENTS_AT_ONCE} clients at once in a child Node process; the server and ` +
      `the adapter live in this process, whose main thread busy-loops ${BUSY_MS} ms of every ${PERIOD_MS} ms during "busy" runs. ` +
      `Interleaved, ${settings.rounds} rounds after a warm-up each; p99 over every measured handshake. Ratio: busy p99 / idle p99 (lower is better).`,
    rows: [],
    notes: [],
  }
  try {
    for (const loadCase of cases) await measure(loadCase, Math.ceil(settings.busyThreadHandshakes / 4))
    const runs = await interleave(cases, settings.rounds, (loadCase) => measure(loadCase, settings.busyThreadHandshakes))
    const p99 = (loadCase: LoadCase): number => percentile(runs.get(loadCase)!.flatMap((run) => run.latenciesMs), 99)
    for (const variant of [PROMISE_LOOP, THREAD]) {
      const idle = p99(cases.find((loadCase) => loadCase.variant === variant && !loadCase.busy)!)
      const busy = p99(cases.find((loadCase) => loadCase.variant === variant && loadCase.busy)!)
      const ratio = busy / idle
      const row = {
        subject: `${variant.name}, p99 latency, main thread 90% busy`,
        measured: `${formatNumber(busy)} ms`,
        baseline: `idle: ${formatNumber(idle)} ms`,
        ratio,
        target: variant === THREAD ? "<= 2.00x" : "-",
      }
      report.rows.push(variant === THREAD ? { ...row, met: ratio <= 2 } : row)
    }
  } finally {
    await clients.close()
    await credentials.dispose()
  }
  return report
}
