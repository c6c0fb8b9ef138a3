/**
 * Entry point of a child process serving benchmark handshakes, so that a server's process is
 * its own, as pyzmq's is: the first argument is a JSON {@link RemoteServerSpec}. Starts that
 * ZAP variant with the standard policy and a server for the mechanism (hardened with requireZap
 * when the variant decides), both in zeromq's global context, prints the server's endpoint, then
 * answers each stdin line with one JSON {@link ServerCpu} line; stops when stdin ends.
 */
import { createInterface } from "node:readline"
import type { HandshakeCredentials } from "./credentials.js"
import type { RemoteServerSpec, ServerCpu } from "./remote-server.js"
import { startServer } from "./server.js"
import { processCpuNs, threadCpuNs } from "./thread-cpu.js"
import { SERVED_VARIANTS } from "./zap-variants.js"

const spec = JSON.parse(process.argv[2] ?? "null") as RemoteServerSpec
const variant = SERVED_VARIANTS.find((candidate) => candidate.name === spec.variant)
if (variant === undefined) throw new TypeError(`unknown ZAP variant ${String(spec.variant)}`)
const credentials: HandshakeCredentials = { ...spec.credentials, dispose: () => Promise.resolve() }
const stopVariant = await variant.start(credentials)
const server = await startServer(spec.mechanism, variant.hardened, credentials.serverKeys)
process.stdout.write(`${server.endpoint}\n`)
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === "") continue
  const cpu: ServerCpu = { processCpuNs: processCpuNs(), threadCpuNs: threadCpuNs() ?? Number.NaN }
  process.stdout.write(`${JSON.stringify(cpu)}\n`)
}
server.close()
// A quiet moment before the unbind (see served-endpoint.ts).
await new Promise((resolve) => setTimeout(resolve, 100))
await stopVariant()
