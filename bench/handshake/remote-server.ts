import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process"
import { createInterface, type Interface } from "node:readline"
import { fileURLToPath } from "node:url"
import type { HandshakeCredentials, MechanismName } from "./credentials.js"

/** CPU nanoseconds a server process has used so far. */
export interface ServerCpu {
  /** Every thread of the process: the main thread, libzmq's I/O threads, a worker if any. */
  processCpuNs: number
  /** The main thread, where the promise loop's handler runs (NaN where unknown). */
  threadCpuNs: number
}

/** What a server child process serves: plain data, passed as its argument. */
export interface RemoteServerSpec {
  /** The name of a variant of `SERVED_VARIANTS` (zap-variants.ts). */
  variant: string
  mechanism: MechanismName
  credentials: Omit<HandshakeCredentials, "dispose">
}

/** A benchmark server with its ZAP handler in a child process (server-process.ts), and its CPU counters. */
export class RemoteServer {
  readonly #child: ChildProcessWithoutNullStreams
  readonly #lines: Interface
  readonly #waiting: Array<(line: string) => void> = []
  /** Resolves with the server's tcp endpoint once it serves. */
  readonly endpoint: Promise<string>

  /** Starts the child serving as `spec` says. */
  constructor(spec: RemoteServerSpec) {
    const entry = fileURLToPath(new URL("./server-process.js", import.meta.url))
    const { variant, mechanism, credentials } = spec
    const { plainUsers, clientKeys, serverKeys, certificateDirectory } = credentials
    const argument: RemoteServerSpec = {
      variant,
      mechanism,
      credentials: { plainUsers, clientKeys, serverKeys, certificateDirectory },
    }
    this.#child = spawn(process.execPath, [entry, JSON.stringify(argument)], { stdio: ["pipe", "pipe", "pipe"] })
    this.#child.stderr.on("data", (chunk: Buffer) => process.stderr.write(chunk))
    this.#lines = createInterface({ input: this.#child.stdout })
    this.#lines.on("line", (line) => this.#waiting.shift()?.(line))
    this.endpoint = this.#nextLine()
  }

  /** The CPU time the server process has used so far. */
  async cpu(): Promise<ServerCpu> {
    const line = this.#nextLine()
    this.#child.stdin.write("cpu\n")
    return JSON.parse(await line) as ServerCpu
  }

  #nextLine(): Promise<string> {
    return new Promise((resolve, reject) => {
      const onExit = (): void => reject(new Error("the benchmark server process exited"))
      this.#child.once("exit", onExit)
      this.#waiting.push((line) => {
        this.#child.off("exit", onExit)
        resolve(line)
      })
    })
  }

  /** Stops the server and ends the child process. */
  async close(): Promise<void> {
    if (this.#child.exitCode !== null) return
    const exited = new Promise((resolve) => this.#child.once("exit", resolve))
    this.#child.stdin.end()
    await exited
  }
}
