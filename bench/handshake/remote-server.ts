import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process"
import { createInterface, type Interface } from "node:readline"
import { fileURLToPath } from "node:url"
import type { ServerCpu } from "./server-process.js"

/** A NULL server with its ZAP handler in a child process (server-process.ts), and its CPU counters. */
export class RemoteServer {
  readonly #child: ChildProcessWithoutNullStreams
  readonly #lines: Interface
  readonly #waiting: Array<(line: string) => void> = []
  /** Resolves with the server's tcp endpoint once it serves. */
  readonly endpoint: Promise<string>

  /** Starts the child serving with `handler`. */
  constructor(handler: "hand-written" | "promise loop") {
    const entry = fileURLToPath(new URL("./server-process.js", import.meta.url))
    this.#child = spawn(process.execPath, [entry, handler], { stdio: ["pipe", "pipe", "pipe"] })
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
