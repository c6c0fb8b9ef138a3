/**
 * Entry point of a worker thread that serves one ZAP handler of the NULL overhead benchmark at a
 * time and measures its own CPU time: "start" binds the handler at an inproc address (where
 * requests may already wait) and "stop", once they are answered, unbinds it and posts back the
 * thread's CPU nanoseconds in between.
 */
import { parentPort } from "node:worker_threads"
import { startNullHandler, type NullHandlerKind } from "./null-handlers.js"
import { threadCpuNs } from "./thread-cpu.js"

/** A message to a handler worker. */
export type HandlerWorkerCommand = { kind: "start"; handler: NullHandlerKind; endpoint: string } | { kind: "stop" }

let running: { stop: () => Promise<void>; startedCpuNs: number } | undefined

async function start(handler: NullHandlerKind, endpoint: string): Promise<void> {
  const startedCpuNs = threadCpuNs() ?? Number.NaN
  running = { stop: await startNullHandler(handler, endpoint), startedCpuNs }
}

async function stop(): Promise<{ cpuNs: number }> {
  const { stop, startedCpuNs } = running!
  running = undefined
  const cpuNs = (threadCpuNs() ?? Number.NaN) - startedCpuNs
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
