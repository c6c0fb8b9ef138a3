import { handshakeRate, type HandshakeRun } from "./handshake/client-driver.js"
import { BENCH_DOMAIN, createCredentials, type HandshakeCredentials } from "./handshake/credentials.js"
import type { ConfigurePolicy } from "./handshake/policy.js"
import { RemoteClients } from "./handshake/remote-clients.js"
import { clientWorkload, servePyzmq, serveVariant, type ServedEndpoint } from "./handshake/served-endpoint.js"
import { ADAPTERS } from "./handshake/zap-variants.js"
import { formatNumber, ratioRow, type BenchmarkReport } from "./report/table.js"
import type { BenchSettings } from "./settings.js"
import { interleave, median, percentile } from "./statistics.js"

const STORE_DELAY_MS = 10
const CLIENTS_AT_ONCE = 64

/** Accepts the known client keys, looked up in memory. */
const knownKeys: ConfigurePolicy = async (target, credentials) => {
  await target.configureCurveKeys(
    BENCH_DOMAIN,
    credentials.clientKeys.map((keys) => keys.publicKey)
  )
}

/** Accepts the known client keys through an async callback that takes 10 ms, like a remote store. */
const slowStore: ConfigurePolicy = async (target, credentials) => {
  const keys = new Set(credentials.clientKeys.map((pair) => pair.publicKey))
  await target.configureCurveCallback(BENCH_DOMAIN, async (_domain, publicKey) => {
    await new Promise((resolve) => setTimeout(resolve, STORE_DELAY_MS))
    return keys.has(publicKey)
  })
}

/** One server set-up of the table: an adapter or pyzmq, with or without the slow store. */
interface StoreCase {
  server: string
  slow: boolean
  serve(credentials: HandshakeCredentials): Promise<ServedEndpoint>
}

function latencyText(runs: readonly HandshakeRun[]): string {
  const latencies = runs.flatMap((run) => run.latenciesMs)
  return `p50 ${formatNumber(percentile(latencies, 50))} ms, p99 ${formatNumber(percentile(latencies, 99))} ms`
}

/**
 * Benchmark 4, slow credential store: CURVE handshakes whose key is decided by an async
 * callback taking 10 ms, 64 clients at once, against the same adapter with the keys in memory.
 */
export async function benchmarkSlowCredentialStore(
  settings: BenchSettings,
  pyzmqAvailable: boolean
): Promise<BenchmarkReport> {
  const credentials = await createCredentials()
  const clients = new RemoteClients()
  const cases: StoreCase[] = ADAPTERS.flatMap((variant) =>
    [false, true].map((slow) => ({
      server: variant.name,
      slow,
      serve: (credentials: HandshakeCredentials) =>
        serveVariant(variant, "CURVE", credentials, slow ? slowStore : knownKeys),
    }))
  )
  if (pyzmqAvailable) {
    for (const slow of [false, true]) {
      cases.push({
        server: "pyzmq ThreadAuthenticator",
        slow,
        serve: (credentials) =>
          servePyzmq("CURVE", credentials, slow ? { callbackDelayMilliseconds: STORE_DELAY_MS } : {}),
      })
    }
  }
  // pyzmq calls the provider synchronously on its auth thread (about 100 handshakes/s): fewer
  // handshakes keep the run short.
  const count = (storeCase: StoreCase): number =>
    storeCase.server.startsWith("pyzmq") && storeCase.slow
      ? Math.min(settings.slowStoreHandshakes, 2 * CLIENTS_AT_ONCE)
      : settings.slowStoreHandshakes
  const measure = async (storeCase: StoreCase, handshakes: number): Promise<HandshakeRun> => {
    const served = await storeCase.serve(credentials)
    try {
      const run = await clients.run(clientWorkload(served.endpoint, "CURVE", credentials, handshakes, CLIENTS_AT_ONCE))
      if (run.failures > 0)
        throw new Error(`${run.failures} of ${handshakes} handshakes failed against ${storeCase.server}`)
      return run
    } finally {
      await served.stop()
    }
  }
  const report: BenchmarkReport = {
    title: "4. Slow credential store",
    workload:
      `CURVE, ${settings.slowStoreHandshakes} handshakes per run, ${CLIENTS_AT_ONCE} clients at once ` +
      "(child Node process, same driver as benchmark 2). " +
      `Keys decided by configureCurveCallback with an async callback that waits ${STORE_DELAY_MS} ms before a Set ` +
      "lookup, against configureCurveKeys with the same keys. " +
      "pyzmq: configure_curve_callback whose provider sleeps 10 ms (it is called synchronously), " +
      `${Math.min(settings.slowStoreHandshakes, 2 * CLIENTS_AT_ONCE)} handshakes per run. ` +
      `Interleaved, median of ${settings.rounds}; ` +
      "latency percentiles over every measured handshake of the rounds.",
    rows: [],
    notes: [],
  }
  try {
    for (const storeCase of cases) await measure(storeCase, Math.min(count(storeCase), CLIENTS_AT_ONCE))
    const runs = await interleave(cases, settings.rounds, (storeCase) => measure(storeCase, count(storeCase)))
    for (const slowCase of cases.filter((storeCase) => storeCase.slow)) {
      const fastCase = cases.find((storeCase) => storeCase.server === slowCase.server && !storeCase.slow)!
      const rate = (storeCase: StoreCase): number => median(runs.get(storeCase)!.map(handshakeRate))
      const isPyzmq = slowCase.server.startsWith("pyzmq")
      const row = ratioRow(
        `${slowCase.server}, ${STORE_DELAY_MS} ms callback`,
        { value: rate(slowCase), unit: "handshakes/s" },
        { name: "keys in memory", value: rate(fastCase) },
        isPyzmq ? undefined : 0.8
      )
      row.measured += `; ${latencyText(runs.get(slowCase)!)}`
      row.baseline += `; ${latencyText(runs.get(fastCase)!)}`
      report.rows.push(row)
    }
  } finally {
    await clients.close()
    await credentials.dispose()
  }
  return report
}
