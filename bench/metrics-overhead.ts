import { metrics } from "@opentelemetry/api"
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics"
import { createCredentials, type MechanismName } from "./handshake/credentials.js"
import { interleavedRates } from "./handshake/interleaved-rates.js"
import { PROMISE_LOOP, type ZapVariant } from "./handshake/zap-variants.js"
import { ratioRow, type BenchmarkReport, type ResultRow } from "./report/table.js"
import type { BenchSettings } from "./settings.js"

/**
 * The promise loop with the OpenTelemetry metrics SDK registered for the time of the run: an
 * in-memory exporter read every second, as an application exporting its metrics would have.
 */
const WITH_METRICS_SDK: ZapVariant = {
  ...PROMISE_LOOP,
  name: "promise loop, metrics SDK registered",
  minimumRatio: 0.97,
  async start(credentials, configure) {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
    const provider = new MeterProvider({
      readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 1000 })],
    })
    metrics.setGlobalMeterProvider(provider)
    const stop = await PROMISE_LOOP.start(credentials, configure)
    return async () => {
      await stop()
      metrics.disable()
      await provider.shutdown()
    }
  },
}

const MEASURED: readonly MechanismName[] = ["NULL", "CURVE"]

/**
 * Benchmark 7, metrics overhead: handshakes per second of the promise loop with the metrics SDK
 * registered against the same adapter without one (the API is then a no-op), interleaved.
 */
export async function benchmarkMetricsOverhead(settings: BenchSettings): Promise<BenchmarkReport> {
  const credentials = await createCredentials()
  const rows: ResultRow[] = []
  try {
    for (const mechanism of MEASURED) {
      const variants = [PROMISE_LOOP, WITH_METRICS_SDK]
      const rate = await interleavedRates(variants, mechanism, credentials, settings)
      rows.push(
        ratioRow(
          `${mechanism}, metrics SDK registered`,
          { value: rate(WITH_METRICS_SDK), unit: "handshakes/s" },
          { name: "no SDK", value: rate(PROMISE_LOOP) },
          WITH_METRICS_SDK.minimumRatio
        )
      )
    }
  } finally {
    await credentials.dispose()
  }
  return {
    title: "7. Metrics overhead",
    workload:
      "The handshake workload of benchmark 1 " +
      `(${settings.handshakesPerRun} handshakes per run, ${settings.handshakeConcurrency} clients at once) ` +
      "through the promise loop, with the OpenTelemetry metrics SDK " +
      "(an in-memory exporter read every second) registered or not. " +
      `Interleaved, median of ${settings.rounds}.`,
    rows,
    notes: [],
  }
}
