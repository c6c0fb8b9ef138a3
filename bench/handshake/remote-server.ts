import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process"
import { createInterface, type Interface } from "node:readline"
import { fileURLToPath } from "node:url"
import { callgrindCommand, dumpInstructions } from "./callgrind.js"
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

/** How a {@link RemoteServer}'s process runs. */
export interface RemoteServerOptions {
  /**
   * Run under callgrind, writing its dumps beside this file (see callgrind.ts): the process is
   * about fifty times slower, and {@link RemoteServer.instructions} counts its instructions.
   */
  callgrindOutFile?: string
}

/** A benchmark server with its ZAP handler in a child process (server-process.ts), and its CPU counters. */
export class RemoteServer {
  readonly #child: ChildProcessWithoutNullStreams
  readonly #callgrindOutFile: string | undefined
  readonly #lines: Interface
  readonly #waiting: Array<(line: string) => void> = []
  /** Resolves with the server's tcp endpoint once it serves. */
  readonly endpoint: Promise<string>

  /** Starts the child serving as `spec` says. */
  constructor(spec: RemoteServerSpec, options: RemoteServerOptions = {}) {
    const entry = fileURLToPath(new URL("./server-process.js", import.meta.url))
    const { variant, mechanism, credentials } = spec
    const { plainUsers, clientKeys, serverKeys, certificateDirectory } = credentials
    const argument: RemoteServerSpec = {
      variant,
      mechanism,
      credentials: { plainUsers, clientKeys, serverKeys, certificateDirectory },
    }
    this.#callgrindOutFile = options.callgrindOutFile
    const [command, args] =
      this.#callgrindOutFile === undefined
        ? [process.execPath, [entry, JSON.stringify(argument)]]
        : callgrindCommand(this.#callgrindOutFile, [entry, JSON.stringify(argument)])
    this.#child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"] })
    // Under callgrind, stderr also carries valgrind's own report ("==<pid>== ..." lines): not shown.
    createInterface({ input: this.#child.stderr }).on("line", (line) => {
      if (!/^==\d+==/.test(line)) process.stderr.write(`${line}\n`)
    })
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

  /**
   * The instructions the process has executed since the previous call (or since it started),
   * every thread included; only for a server run under callgrind.
   */
  async instructions(): Promise<number> {
    if (this.#callgrindOutFile === undefined) throw new Error("this benchmark server does not run under callgrind")
    return dumpInstructions(this.#child.pid!, this.#callgrindOutFile)
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
