import type { CurveKeyCallback } from "@zmq-auth/core"
import { applyConfiguration, type ConfigurableEngine } from "./apply-configuration.js"
import type { MainMessage, WorkerMessage } from "./messages.js"
import { transferError } from "./transfer.js"

/** A configuration call from the main thread, with the id its answer carries. */
export type ConfigureMessage = Extract<MainMessage, { type: "configure" }>

/** The worker's answer to a {@link ConfigureMessage}. */
export type ConfigureAnswer = Extract<WorkerMessage, { type: "configured" | "configure:failed" }>

/**
 * Applies the call of `message` to `engine`, then answers it through `answer`: "configured" once
 * applied, or "configure:failed" with the engine's error (in its transferred form) when the call
 * throws or rejects. Never rejects.
 */
export async function answerConfigure(
  engine: ConfigurableEngine,
  message: ConfigureMessage,
  callbackFor: (callbackId: number) => CurveKeyCallback,
  answer: (reply: ConfigureAnswer) => void
): Promise<void> {
  try {
    await applyConfiguration(engine, message.call, callbackFor)
    answer({ type: "configured", id: message.id })
  } catch (error) {
    answer({ type: "configure:failed", id: message.id, error: transferError(error) })
  }
}
