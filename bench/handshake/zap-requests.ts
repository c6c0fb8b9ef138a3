import { Worker } from "node:worker_threads"
import { BENCH_DOMAIN } from "./credentials.js"

/** A message to the worker thread of {@link ZapRequestDriver}. */
export type ZapWorkerCommand = { kind: "fill"; endpoint: string; domain: string; count: number } | { kind: "drain" }

/** The outcome of a drained burst. */
export interface ZapRequestRun {
  /** Replies other than 200. */
  denied: number
}

/**
 * Bursts of pre-built NULL ZAP requests from a worker thread, queued at an inproc address before a
 * handler binds it: the handler then answers a full queue flat out, with no handshake and no
 * client socket in this thread, so this thread's CPU time per request is the handler's cost
 * whatever the load of the machine.
 */
export class ZapRequestDriver {
  readonly #worker = new Worker(new URL("./zap-request-worker.js", import.meta.url))

  /** Connects to `endpoint` (not bound yet) and queues `count` requests there. */
  async fill(endpoint: string, count: number): Promise<void> {
    await this.#ask({ kind: "fill", endpoint, domain: BENCH_DOMAIN, count })
  }

  /** Reads every reply of the queued requests; rejects when one was not 200. */
  async drain(): Promise<ZapRequestRun> {
    const run = (await this.#ask({ kind: "drain" })) as ZapRequestRun
    if (run.denied > 0) throw new Error(`${run.denied} ZAP requests were not allowed`)
    return run
  }

  async #ask(command: ZapWorkerCommand): Promise<unknown> {
    const answer = await new Promise<unknown>((resolve, reject) => {
      this.#worker.once("message", resolve)
      this.#worker.once("error", reject)
      this.#worker.postMessage(command)
    })
    this.#worker.removeAllListeners("error")
    const { error } = answer as { error?: string }
    if (error !== undefined) throw new Error(`the ZAP request worker failed: ${error}`)
    return answer
  }

  /** Ends the worker thread. */
  async close(): Promise<void> {
    await this.#worker.terminate()
  }
}
