/**
 * Entry point of a child process serving NULL handshakes for the NULL overhead benchmark: a
 * ROUTER hardened with requireZap and the ZAP handler named by the first argument
 * ("hand-written" or "promise loop"), both in zeromq's global context. Prints the server's
 * endpoint, then answers each stdin line with one JSON {@link ServerCpu} line; stops when stdin
 * ends.
 */
import { createInterface } from "node:readline"
import { Authenticator, ZapHandler } from "@zmq-auth/core"
import { startHandwrittenHandler } from "./handwritten-handler.js"
import { startServer } from "./server.js"
import { processCpuNs, threadCpuNs } from "./thread-cpu.js"

/** CPU nanoseconds a server process has used so far. */
export interface ServerCpu {
  /** Every thread of the process: the main thread and libzmq's I/O threads. */
  processCpuNs: number
  /** The main thread, where the handler runs (NaN where unknown). */
  threadCpuNs: number
}

async function startHandler(name: string | undefined): Promise<() => Promise<void>> {
  if (name === "hand-written") return startHandwrittenHandler()
  if (name !== "promise loop") throw new TypeError(`unknown handler ${String(name)}`)
  const handler = new ZapHandler(new Authenticator())
  await handler.start()
  return () => handler.stop()
}

const stopHandler = await startHandler(process.argv[2])
const server = await startServer("NULL", true, { publicKey: "", secretKey: "" })
process.stdout.write(`${server.endpoint}\n`)
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === "") continue
  const cpu: ServerCpu = { processCpuNs: processCpuNs(), threadCpuNs: threadCpuNs() ?? Number.NaN }
  process.stdout.write(`${JSON.stringify(cpu)}\n`)
}
server.close()
// A quiet moment before the unbind (see served-endpoint.ts).
await new Promise((resolve) => setTimeout(resolve, 100))
await stopHandler()
