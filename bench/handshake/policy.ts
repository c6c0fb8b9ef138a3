import { BENCH_DOMAIN, type HandshakeCredentials } from "./credentials.js"

/** The configuration calls the benchmarks make; the engine and the thread adapter both fit. */
export interface PolicyTarget {
  configurePlain(domain: string, passwords: Record<string, string>): unknown
  configureCurve(domain: string, location: string): unknown
  configureCurveKeys(domain: string, keys: Iterable<string>): unknown
  configureCurveCallback(
    domain: string,
    callback: (domain: string, publicKey: string) => boolean | Promise<boolean>
  ): unknown
}

/** Configures an engine (or adapter) for a benchmark; the default is {@link configurePolicy}. */
export type ConfigurePolicy = (target: PolicyTarget, credentials: HandshakeCredentials) => Promise<void>

/**
 * The standard benchmark policy: PLAIN users and the CURVE certificate directory of
 * `credentials` for {@link BENCH_DOMAIN}. NULL needs no configuration (the engine allows it).
 */
export async function configurePolicy(target: PolicyTarget, credentials: HandshakeCredentials): Promise<void> {
  await target.configurePlain(BENCH_DOMAIN, credentials.plainUsers)
  await target.configureCurve(BENCH_DOMAIN, credentials.certificateDirectory)
}
