import type { HandlerWorkerCommand } from "./handler-worker.js"
import { BENCH_DOMAIN } from "./credentials.js"
import type { NullHandlerKind } from "./null-handlers.js"
import { WorkerClient } from "./worker-client.js"

/** A message to the worker thread of {@link ZapRequestDriver}. */
export type ZapWorkerCommand =
  { kind: "fill"; endpoint: string; domain: string; count: number } | { kind: "drain"; endpoint: string }

/** The outcome of a drained burst. */
export interface ZapRequestRun {
  /** Replies other than 200. */
  denied: number
}

/**
 * Bursts of pre-built NULL ZAP requests from a worker thread, queued at an inproc address before a
 * handler binds it: the handler then answers a full queue flat out, with no handshake and no
 * client socket in its thread, so that thread's CPU time per request is the handler's cost.
 */
export class ZapRequestDriver {
  readonly #worker = new WorkerClient<ZapWorkerCommand>(new URL("./zap-request-worker.js", import.meta.url))

  /** Connects to `endpoint` (not bound yet) and queues `count` requests there. */
  async fill(endpoint: string, count: number): Promise<void> {
    await this.#worker.ask({ kind: "fill", endpoint, domain: BENCH_DOMAIN, count })
  }

  /** Reads every reply of the requests queued at `endpoint`; rejects when one was not 200. */
  async drain(endpoint: string): Promise<ZapRequestRun> {
    const run = (await this.#worker.ask({ kind: "drain", endpoint })) as ZapRequestRun
    if (run.denied > 0) throw new Error(`${run.denied} ZAP requests were not allowed`)
    return run
  }

  /** Ends the worker thread. */
  async close(): Promise<void> {
    await this.#worker.close()
  }
}

/** A ZAP handler served in a worker thread of its own, measuring that thread's CPU time. */
export class HandlerThread {
  readonly #worker = new WorkerClient<HandlerWorkerCommand>(new URL("./handler-worker.js", import.meta.url))

  /** Binds `handler` at `endpoint` in the worker thread. */
  async start(handler: NullHandlerKind, endpoint: string): Promise<void> {
    await this.#worker.ask({ kind: "start", handler, endpoint })
  }

  /** Unbinds the handler; resolves with the thread's CPU nanoseconds since `start` (NaN where unknown). */
  async stop(): Promise<number> {
    return ((await this.#worker.ask({ kind: "stop" })) as { cpuNs: number }).cpuNs
  }

  /** Ends the worker thread. */
  async close(): Promise<void> {
    await this.#worker.close()
  }
}
