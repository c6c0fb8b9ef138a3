import type { BenchSettings } from "../settings.js"
import { interleave, median } from "../statistics.js"
import { handshakeRate, runHandshakes, type HandshakeRun } from "./client-driver.js"
import type { HandshakeCredentials, MechanismName } from "./credentials.js"
import { clientWorkload, serveVariant } from "./served-endpoint.js"
import type { ZapVariant } from "./zap-variants.js"

/** Runs one handshake run of `mechanism` with `variant` answering ZAP, clients in this process. */
export async function measureVariant(
  variant: ZapVariant,
  mechanism: MechanismName,
  credentials: HandshakeCredentials,
  count: number,
  concurrency: number
): Promise<HandshakeRun> {
  const served = await serveVariant(variant, mechanism, credentials)
  try {
    const run = await runHandshakes(clientWorkload(served.endpoint, mechanism, credentials, count, concurrency))
    if (run.failures > 0)
      throw new Error(`${run.failures} of ${count} ${mechanism} handshakes failed with ${variant.name}`)
    return run
  } finally {
    await served.stop()
  }
}

/**
 * Handshakes per second of each of `variants` for `mechanism`: a warm-up run of each (a quarter
 * of `settings.handshakesPerRun`), then `settings.rounds` interleaved runs; resolves with the
 * median rate of a variant.
 */
export async function interleavedRates(
  variants: readonly ZapVariant[],
  mechanism: MechanismName,
  credentials: HandshakeCredentials,
  settings: BenchSettings
): Promise<(variant: ZapVariant) => number> {
  const measure = (variant: ZapVariant, count: number): Promise<HandshakeRun> =>
    measureVariant(variant, mechanism, credentials, count, settings.handshakeConcurrency)
  for (const variant of variants) await measure(variant, Math.ceil(settings.handshakesPerRun / 4))
  const runs = await interleave(variants, settings.rounds, (variant) => measure(variant, settings.handshakesPerRun))
  return (variant) => median(runs.get(variant)!.map(handshakeRate))
}
