import { createCredentials, MECHANISMS } from "./handshake/credentials.js"
import { interleavedRates } from "./handshake/interleaved-rates.js"
import { HANDWRITTEN, ADAPTERS, NO_HANDLER } from "./handshake/zap-variants.js"
import { ratioRow, type BenchmarkReport, type ResultRow } from "./report/table.js"
import type { BenchSettings } from "./settings.js"

/**
 * Benchmark 1, handshake overhead: handshakes per second of NULL, PLAIN and CURVE through each
 * adapter, against a hand-written ROUTER handler that allows everything and against no handler.
 */
export async function benchmarkHandshakeOverhead(settings: BenchSettings): Promise<BenchmarkReport> {
  const credentials = await createCredentials()
  const rows: ResultRow[] = []
  try {
    for (const mechanism of MECHANISMS) {
      const variants = [NO_HANDLER, HANDWRITTEN, ...ADAPTERS].filter((variant) =>
        variant.mechanisms.includes(mechanism)
      )
      const rate = await interleavedRates(variants, mechanism, credentials, settings)
      const handwritten = { name: "hand-written", value: rate(HANDWRITTEN) }
      for (const variant of ADAPTERS) {
        rows.push(
          ratioRow(
            `${mechanism}, ${variant.name}`,
            { value: rate(variant), unit: "handshakes/s" },
            handwritten,
            variant.minimumRatio
          )
        )
      }
      if (variants.includes(NO_HANDLER)) {
        rows.push(
          ratioRow(
            `${mechanism}, hand-written handler`,
            { value: handwritten.value, unit: "handshakes/s" },
            { name: "no handler", value: rate(NO_HANDLER) }
          )
        )
      }
    }
  } finally {
    await credentials.dispose()
  }
  return {
    title: "1. Handshake overhead",
    workload:
      `${settings.handshakesPerRun} handshakes per run, ${settings.handshakeConcurrency} clients at once; ` +
      "each client is a DEALER that connects over tcp 127.0.0.1 to a ROUTER server " +
      "(hardened with requireZap when a handler is bound) and closes on its " +
      "`handshake` event. Server, handler and clients share one process. Variants interleaved, median of " +
      `${settings.rounds} after a warm-up run each. ` +
      "PLAIN: 32 users; CURVE: 32 client certificates loaded with configureCurve.",
    rows,
    notes: [],
  }
}
