import { createInterface } from "node:readline"
import { spawnPython } from "../python-process.js"
import type { ClientWorkload } from "./client-driver.js"
import { BENCH_DOMAIN, type HandshakeCredentials, type MechanismName } from "./credentials.js"
import type { ConfigurePolicy } from "./policy.js"
import { RemoteServer } from "./remote-server.js"
import { startServer } from "./server.js"
import type { ZapVariant } from "./zap-variants.js"

/** A server that clients can handshake with, and how to take it down. */
export interface ServedEndpoint {
  endpoint: string
  stop(): Promise<void>
}

/** A server in a process of its own, which reports the CPU time that process has used. */
export interface MeasuredEndpoint extends ServedEndpoint {
  /** CPU nanoseconds of the server's process so far, every thread included. */
  cpuNs(): Promise<number>
}

/**
 * Waits until libzmq has torn down the sessions of the closed clients. ZapHandler.stop()
 * unbinds the ZAP endpoint, and zeromq.js runs unbind on a pool thread: while session pipes
 * are still terminating that races with the main thread and can abort libzmq
 * ("Assertion failed: erased", socket_base.cpp). A quiet moment first avoids it.
 */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 100))
}

/**
 * Starts `variant` (with the policy `configure` sets, default the standard one) and a server for
 * `mechanism` in this process.
 */
export async function serveVariant(
  variant: ZapVariant,
  mechanism: MechanismName,
  credentials: HandshakeCredentials,
  configure?: ConfigurePolicy
): Promise<ServedEndpoint> {
  const stopVariant = await variant.start(credentials, configure)
  const server = await startServer(mechanism, variant.hardened, credentials.serverKeys).catch(
    async (error: unknown) => {
      await stopVariant()
      throw error
    }
  )
  return {
    endpoint: server.endpoint,
    async stop() {
      server.close()
      await settle()
      await stopVariant()
    },
  }
}

/** Options of {@link servePyzmq}. */
export interface PyzmqServerOptions {
  /** Decide CURVE keys with a credentials provider that sleeps this many milliseconds. */
  callbackDelayMilliseconds?: number
}

/** Starts a Python process with a server for `mechanism` guarded by pyzmq's ThreadAuthenticator. */
export async function servePyzmq(
  mechanism: MechanismName,
  credentials: HandshakeCredentials,
  options: PyzmqServerOptions = {}
): Promise<MeasuredEndpoint> {
  const settings = {
    mechanism,
    domain: BENCH_DOMAIN,
    serverSecretKey: credentials.serverKeys.secretKey,
    plainUsers: credentials.plainUsers,
    certificateDirectory: credentials.certificateDirectory,
    ...options,
  }
  const child = spawnPython("handshake_server.py", [JSON.stringify(settings)])
  const exited = new Promise((resolve) => child.once("exit", resolve))
  const lines = createInterface({ input: child.stdout })
  const nextLine = (): Promise<string> =>
    new Promise<string>((resolve, reject) => {
      const onExit = (code: number | null): void =>
        reject(new Error(`the pyzmq server exited with code ${String(code)}`))
      child.once("exit", onExit)
      lines.once("line", (line) => {
        child.off("exit", onExit)
        resolve(line)
      })
    })
  const endpoint = await nextLine()
  return {
    endpoint,
    async cpuNs() {
      const line = nextLine()
      child.stdin.write("cpu\n")
      return (JSON.parse(await line) as { processCpuNs: number }).processCpuNs
    },
    async stop() {
      child.stdin.end()
      await exited
    },
  }
}

/** Starts `variant` and a server for `mechanism` in a child Node process (server-process.ts). */
export async function serveVariantRemotely(
  variant: ZapVariant,
  mechanism: MechanismName,
  credentials: HandshakeCredentials
): Promise<MeasuredEndpoint> {
  const server = new RemoteServer({ variant: variant.name, mechanism, credentials })
  try {
    return {
      endpoint: await server.endpoint,
      cpuNs: async () => (await server.cpu()).processCpuNs,
      stop: () => server.close(),
    }
  } catch (error) {
    await server.close()
    throw error
  }
}

/** The client side of a run against `endpoint`, with the credentials every server knows. */
export function clientWorkload(
  endpoint: string,
  mechanism: MechanismName,
  credentials: HandshakeCredentials,
  count: number,
  concurrency: number
): ClientWorkload {
  return {
    endpoint,
    mechanism,
    count,
    concurrency,
    plainUsers: Object.entries(credentials.plainUsers),
    clientKeys: credentials.clientKeys,
    serverPublicKey: credentials.serverKeys.publicKey,
    timeoutMs: 10_000,
  }
}
