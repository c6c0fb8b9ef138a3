import { Authenticator, ZapHandler } from "@zmq-auth/core"
import { MECHANISMS, type HandshakeCredentials, type MechanismName } from "./credentials.js"
import { startHandwrittenHandler } from "./handwritten-handler.js"
import { configurePolicy, type ConfigurePolicy } from "./policy.js"
import { retryWhileBound } from "./retry.js"
import { RX } from "./rx-variant.js"
import { THREAD } from "./thread-variant.js"

/** Stops a started variant and frees the ZAP endpoint. */
export type StopVariant = () => Promise<void>

/** One way of answering ZAP requests in the measured process: a row of the handshake tables. */
export interface ZapVariant {
  name: string
  /** Whether a handler decides: the server is hardened with `requireZap` when it is. */
  hardened: boolean
  /** The target: minimum handshake rate relative to the hand-written handler. */
  minimumRatio?: number
  /** The mechanisms the variant can serve. */
  mechanisms: readonly MechanismName[]
  /**
   * Binds the handler with the policy `configure` sets (default: {@link configurePolicy});
   * resolves once handshakes are decided by it.
   */
  start(credentials: HandshakeCredentials, configure?: ConfigurePolicy): Promise<StopVariant>
}

/** No ZAP handler at all: libzmq accepts NULL and CURVE on its own (PLAIN needs a handler). */
export const NO_HANDLER: ZapVariant = {
  name: "no handler",
  hardened: false,
  mechanisms: ["NULL", "CURVE"],
  start: () => Promise.resolve(() => Promise.resolve()),
}

/** The bare minimum handler that allows everything (see handwritten-handler.ts). */
export const HANDWRITTEN: ZapVariant = {
  name: "hand-written handler",
  hardened: true,
  mechanisms: MECHANISMS,
  start: () => retryWhileBound(() => startHandwrittenHandler()),
}

/** The promise-loop adapter of @zmq-auth/core serving the engine. */
export const PROMISE_LOOP: ZapVariant = {
  name: "promise loop (ZapHandler)",
  hardened: true,
  minimumRatio: 0.95,
  mechanisms: MECHANISMS,
  async start(credentials, configure = configurePolicy) {
    const authenticator = new Authenticator()
    await configure(authenticator, credentials)
    const handler = new ZapHandler(authenticator)
    await retryWhileBound(() => handler.start())
    return () => handler.stop()
  },
}

/**
 * The adapters, each a row of the handshake tables. A new adapter is one more small variant
 * file (see thread-variant.ts) added here.
 */
export const ADAPTERS: readonly ZapVariant[] = [PROMISE_LOOP, THREAD, RX]

/** The variants a server child process (server-process.ts) can run, by name. */
export const SERVED_VARIANTS: readonly ZapVariant[] = [...ADAPTERS, HANDWRITTEN]
