import type { CurveKeyCallback } from "@zmq-auth/core"
import { applyConfiguration, type ConfigurableEngine } from "./apply-configuration.js"
import { answerConfigure, type ConfigureAnswer, type ConfigureMessage } from "./configure-answer.js"
import type { EarlyCalls } from "./early-calls.js"
import type { ConfigurationCall } from "./messages.js"

/** What {@link replayPolicy} applies, and how it reaches the main thread. */
export interface PolicyReplay {
  /** The calls the main thread recorded before start(), in the order they were made. */
  policy: readonly ConfigurationCall[]
  /** The calls the main thread made after start(), kept while the engine was built. */
  early: EarlyCalls<ConfigureMessage>
  /** The function the engine calls for a `configureCurveCallback` call's callback id. */
  callbackFor: (callbackId: number) => CurveKeyCallback
  /** Receives the answer to each early call. */
  answer: (reply: ConfigureAnswer) => void
}

/**
 * Brings a starting worker's engine up to date before it serves. Applies the recorded policy in
 * order and rejects with the engine's own error at the first call that fails: the calls after it
 * and the early calls are not applied, so that no endpoint is bound with a partial policy. Then
 * lets one turn of the event loop deliver the calls the main thread has already posted since
 * start(), and applies the early calls in the order they came, answering each.
 */
export async function replayPolicy(engine: ConfigurableEngine, replay: PolicyReplay): Promise<void> {
  for (const call of replay.policy) await applyConfiguration(engine, call, replay.callbackFor)
  await new Promise((resolve) => setImmediate(resolve))
  await replay.early.drain((message) => answerConfigure(engine, message, replay.callbackFor, replay.answer))
}
