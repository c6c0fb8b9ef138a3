import { Authenticator, ZapHandler } from "@zmq-auth/core"
import { MECHANISMS, type HandshakeCredentials, type MechanismName } from "./credentials.js"
import { startHandwrittenHandler } from "./handwritten-handler.js"
import { configurePolicy } from "./policy.js"
import { retryWhileBound } from "./retry.js"
import { loadRxVariant } from "./rx-variant.js"
import { loadThreadVariant } from "./thread-variant.js"

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
  /** Binds the handler with the benchmark policy; resolves once handshakes are decided by it. */
  start(credentials: HandshakeCredentials): Promise<StopVariant>
}

/** A variant whose module is not ready: the reason is printed under the table. */
export interface MissingVariant {
  name: string
  reason: string
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
  start: () => retryWhileBound(startHandwrittenHandler),
}

/** The promise-loop adapter of @zmq-auth/core serving the engine. */
export const PROMISE_LOOP: ZapVariant = {
  name: "promise loop (ZapHandler)",
  hardened: true,
  minimumRatio: 0.95,
  mechanisms: MECHANISMS,
  async start(credentials) {
    const authenticator = new Authenticator()
    await configurePolicy(authenticator, credentials)
    const handler = new ZapHandler(authenticator)
    await retryWhileBound(() => handler.start())
    return () => handler.stop()
  },
}

/** The adapters that are ready (promise loop, thread, rx) and the ones that are not, with why. */
export async function loadAdapterVariants(): Promise<{ ready: ZapVariant[]; missing: MissingVariant[] }> {
  const ready: ZapVariant[] = [PROMISE_LOOP]
  const missing: MissingVariant[] = []
  for (const loaded of [await loadThreadVariant(), await loadRxVariant()]) {
    if ("reason" in loaded) missing.push(loaded)
    else ready.push(loaded)
  }
  return { ready, missing }
}
