/**
 * Entry point of a worker thread that serves one ZAP handler of the NULL overhead benchmark at a
 * time and measures its own CPU time: "start" binds the handler at an inproc address (where
 * requests may already wait) and "stop", once they are answered, unbinds it and posts back the
 * thread's CPU nanoseconds in between.
 */
import { parentPort } from "node:worker_threads"
import { Authenticator, ZapHandler } from "@zmq-auth/core"
import { startHandwrittenHandler } from "./handwritten-handler.js"
import { threadCpuNs } from "./thread-cpu.js"

/** A message to a handler worker. */
export type HandlerWorkerCommand =
  { kind: "start"; handler: "hand-written" | "promise loop"; endpoint: string } | { kind: "stop" }

let running: { stop: () => Promise<void>; startedCpuNs: number } | undefined

async function start(handler: "hand-written" | "promise loop", endpoint: string): Promise<void> {
  const startedCpuNs = threadCpuNs() ?? Number.NaN
  if (handler === "hand-written") {
    running = { stop: await startHandwrittenHandler(endpoint), startedCpuNs }
  } else {
    const zapHandler = new ZapHandler(new Authenticator(), { endpoint })
    await zapHandler.start()
    running = { stop: () => zapHandler.stop(), startedCpuNs }
  }
}

async function stop(): Promise<{ cpuNs: number }> {
  const { stop, startedCpuNs } = running!
  running = undefined
  const cpuNs = (threadCpuNs() ?? Number.NaN) - startedCpuNs
  // The requesting DEALER has closed: a quiet moment before the unbind (see served-endpoint.ts).
  await new Promise((resolve) => setTimeout(resolve, 100))
  await stop()
  return { cpuNs }
}

parentPort!.on("message", (command: HandlerWorkerCommand) => {
  const done = command.kind === "start" ? start(command.handler, command.endpoint) : stop()
  done.then(
    (result) => parentPort!.postMessage(result ?? {}),
    (error: unknown) => parentPort!.postMessage({ error: error instanceof Error ? error.message : String(error) })
  )
})
