import { MECHANISMS, type HandshakeCredentials } from "./credentials.js"
import { configurePolicy, type PolicyTarget } from "./policy.js"
import { retryWhileBound } from "./retry.js"
import type { MissingVariant, ZapVariant } from "./zap-variants.js"

/** What the benchmarks use of @zmq-auth/thread (API.md). */
interface ThreadAuthenticatorLike extends PolicyTarget {
  start(): Promise<void>
  stop(): Promise<void>
}

/** The part of the @zmq-auth/thread module the benchmarks use. */
export interface ThreadModule {
  ThreadAuthenticator: new () => ThreadAuthenticatorLike
}

const NAME = "thread (ThreadAuthenticator)"

/**
 * Loads @zmq-auth/thread; the package is checked at run time so the benchmarks build and run
 * while it is still a placeholder (the row then says so).
 */
export async function loadThreadModule(): Promise<ThreadModule | MissingVariant> {
  try {
    const module = (await import("@zmq-auth/thread")) as unknown as Partial<ThreadModule>
    if (typeof module.ThreadAuthenticator === "function") return module as ThreadModule
    return { name: NAME, reason: "@zmq-auth/thread does not export ThreadAuthenticator yet" }
  } catch (error) {
    return { name: NAME, reason: `@zmq-auth/thread cannot be loaded: ${error instanceof Error ? error.message : String(error)}` }
  }
}

/** Starts a ThreadAuthenticator (retrying while the endpoint is still held) with the benchmark policy. */
export async function startThreadAuthenticator(module: ThreadModule, credentials: HandshakeCredentials): Promise<ThreadAuthenticatorLike> {
  const authenticator = await retryWhileBound(async () => {
    const candidate = new module.ThreadAuthenticator()
    try {
      await candidate.start()
    } catch (error) {
      await candidate.stop().catch(() => undefined)
      throw error
    }
    return candidate
  })
  await configurePolicy(authenticator, credentials)
  return authenticator
}

/** The thread adapter as a handshake variant, or why it is missing. */
export async function loadThreadVariant(): Promise<ZapVariant | MissingVariant> {
  const module = await loadThreadModule()
  if ("reason" in module) return module
  return {
    name: NAME,
    hardened: true,
    minimumRatio: 0.9,
    mechanisms: MECHANISMS,
    async start(credentials) {
      const authenticator = await startThreadAuthenticator(module, credentials)
      return () => authenticator.stop()
    },
  }
}
