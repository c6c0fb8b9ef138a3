import { handshakeRate, runHandshakes, type HandshakeRun } from "./handshake/client-driver.js"
import { createCredentials, MECHANISMS, type HandshakeCredentials, type MechanismName } from "./handshake/credentials.js"
import { startServer } from "./handshake/server.js"
import { HANDWRITTEN, loadAdapterVariants, NO_HANDLER, type ZapVariant } from "./handshake/zap-variants.js"
import { ratioRow, type BenchmarkReport, type ResultRow } from "./report/table.js"
import type { BenchSettings } from "./settings.js"
import { interleave, median } from "./statistics.js"

/**
 * Waits until libzmq has torn down the sessions of the closed clients. ZapHandler.stop()
 * unbinds the ZAP endpoint, and zeromq.js runs unbind on a pool thread: while session pipes
 * are still terminating that races with the main thread and can abort libzmq
 * ("Assertion failed: erased", socket_base.cpp). A quiet moment first avoids it.
 */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 100))
}

/** Runs one handshake run of `mechanism` with `variant` answering ZAP, clients in this process. */
export async function measureVariant(
  variant: ZapVariant,
  mechanism: MechanismName,
  credentials: HandshakeCredentials,
  count: number,
  concurrency: number,
): Promise<HandshakeRun> {
  const stop = await variant.start(credentials)
  const server = await startServer(mechanism, variant.hardened, credentials.serverKeys)
  try {
    const run = await runHandshakes({
      endpoint: server.endpoint,
      mechanism,
      count,
      concurrency,
      plainUsers: Object.entries(credentials.plainUsers),
      clientKeys: credentials.clientKeys,
      serverPublicKey: credentials.serverKeys.publicKey,
      timeoutMs: 10_000,
    })
    if (run.failures > 0) throw new Error(`${run.failures} of ${count} ${mechanism} handshakes failed with ${variant.name}`)
    return run
  } finally {
    server.close()
    await settle()
    await stop()
  }
}

/**
 * Benchmark 1, handshake overhead: handshakes per second of NULL, PLAIN and CURVE through each
 * adapter, against a hand-written ROUTER handler that allows everything and against no handler.
 */
export async function benchmarkHandshakeOverhead(settings: BenchSettings): Promise<BenchmarkReport> {
  const credentials = await createCredentials()
  const { ready, missing } = await loadAdapterVariants()
  const rows: ResultRow[] = []
  try {
    for (const mechanism of MECHANISMS) {
      const variants = [NO_HANDLER, HANDWRITTEN, ...ready].filter((variant) => variant.mechanisms.includes(mechanism))
      const measure = (variant: ZapVariant, count: number): Promise<HandshakeRun> =>
        measureVariant(variant, mechanism, credentials, count, settings.handshakeConcurrency)
      for (const variant of variants) await measure(variant, Math.ceil(settings.handshakesPerRun / 4))
      const runs = await interleave(variants, settings.rounds, (variant) => measure(variant, settings.handshakesPerRun))
      const rate = (variant: ZapVariant): number => median(runs.get(variant)!.map(handshakeRate))
      const handwritten = { name: "hand-written", value: rate(HANDWRITTEN) }
      for (const variant of ready) {
        rows.push(ratioRow(`${mechanism}, ${variant.name}`, { value: rate(variant), unit: "handshakes/s" }, handwritten, variant.minimumRatio))
      }
      if (variants.includes(NO_HANDLER)) {
        rows.push(ratioRow(`${mechanism}, hand-written handler`, { value: handwritten.value, unit: "handshakes/s" }, { name: "no handler", value: rate(NO_HANDLER) }))
      }
    }
  } finally {
    await credentials.dispose()
  }
  return {
    title: "1. Handshake overhead",
    workload:
      `${settings.handshakesPerRun} handshakes per run, ${settings.handshakeConcurrency} clients at once; each client is a DEALER that ` +
      "connects over tcp 127.0.0.1 to a ROUTER server (hardened with requireZap when a handler is bound) and closes on its " +
      "`handshake` event. Server, handler and clients share one process. Variants interleaved, median of " +
      `${settings.rounds} after a warm-up run each. PLAIN: 32 users; CURVE: 32 client certificates loaded with configureCurve.`,
    rows,
    notes: missing.map((variant) => `${variant.name}: not measured, ${variant.reason}.`),
  }
}
