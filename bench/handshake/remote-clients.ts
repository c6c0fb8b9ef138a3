import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process"
import { createInterface, type Interface } from "node:readline"
import { fileURLToPath } from "node:url"
import type { ClientWorkload, HandshakeRun } from "./client-driver.js"

/**
 * Handshake clients in a child Node process (build/bench/handshake/client-process.js), so the
 * measured process only serves; one run at a time.
 */
export class RemoteClients {
  readonly #child: ChildProcessWithoutNullStreams
  readonly #lines: Interface
  readonly #waiting: Array<(line: string) => void> = []

  constructor() {
    const entry = fileURLToPath(new URL("./client-process.js", import.meta.url))
    this.#child = spawn(process.execPath, [entry], { stdio: ["pipe", "pipe", "pipe"] })
    this.#child.stderr.on("data", (chunk: Buffer) => process.stderr.write(chunk))
    this.#lines = createInterface({ input: this.#child.stdout })
    this.#lines.on("line", (line) => this.#waiting.shift()?.(line))
  }

  /** Runs a workload in the child and resolves with its outcome. */
  run(workload: ClientWorkload): Promise<HandshakeRun> {
    return new Promise((resolve, reject) => {
      const onExit = (): void => reject(new Error("the handshake client process exited"))
      this.#child.once("exit", onExit)
      this.#waiting.push((line) => {
        this.#child.off("exit", onExit)
        resolve(JSON.parse(line) as HandshakeRun)
      })
      this.#child.stdin.write(`${JSON.stringify(workload)}\n`)
    })
  }

  /** Ends the child process. */
  async close(): Promise<void> {
    if (this.#child.exitCode !== null) return
    const exited = new Promise((resolve) => this.#child.once("exit", resolve))
    this.#child.stdin.end()
    await exited
  }
}
