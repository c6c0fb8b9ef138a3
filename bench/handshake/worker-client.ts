import { Worker } from "node:worker_threads"

/**
 * The main thread's side of a benchmark worker thread that answers each message with one
 * message (`{ error }` when it failed). One request at a time.
 */
export class WorkerClient<Command> {
  readonly #worker: Worker

  /** Starts the worker thread running `entry` (a compiled .js file). */
  constructor(entry: URL) {
    this.#worker = new Worker(entry)
  }

  /** Posts `command` and resolves with the answer; rejects with the worker's error. */
  async ask(command: Command): Promise<unknown> {
    const answer = await new Promise<unknown>((resolve, reject) => {
      const onError = (error: Error): void => reject(error)
      this.#worker.once("error", onError)
      this.#worker.once("message", (message) => {
        this.#worker.off("error", onError)
        resolve(message)
      })
      this.#worker.postMessage(command)
    })
    const { error } = answer as { error?: string }
    if (error !== undefined) throw new Error(`a benchmark worker failed: ${error}`)
    return answer
  }

  /** Ends the worker thread. */
  async close(): Promise<void> {
    await this.#worker.terminate()
  }
}
