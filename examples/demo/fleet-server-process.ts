import { fork, type ChildProcess } from "node:child_process"
import { fileURLToPath } from "node:url"
import { withDeadline } from "./deadline.js"
import type { FleetControlMessage, FleetServerMessage } from "./fleet-messages.js"

const SCRIPT = fileURLToPath(new URL("./fleet-server.js", import.meta.url))
const START_DEADLINE_MS = 10_000
const STOP_DEADLINE_MS = 3000

type Decision = Extract<FleetServerMessage, { type: "decision" }>

/** One server process of the fleet demo, and what it reported. */
export class FleetServerProcess {
  readonly node: string
  readonly #child: ChildProcess
  readonly #messages: FleetServerMessage[] = []
  readonly #watchers = new Set<() => boolean>()
  #exited = false
  #endpoint = ""
  #serverKey = ""

  private constructor(node: string, url: string, signal: AbortSignal) {
    this.node = node
    this.#child = fork(SCRIPT, [url, node], { stdio: ["ignore", "inherit", "inherit", "ipc"], signal })
    // An abort (the demo interrupted) is reported as an error: the exit that follows is what counts.
    this.#child.on("error", () => undefined)
    this.#child.on("message", (message: FleetServerMessage) => {
      this.#messages.push(message)
      this.#notify()
    })
    this.#child.on("exit", () => {
      this.#exited = true
      this.#notify()
    })
  }

  /** Starts `node` against Redis at `url`; resolves once it is bound and serving. `signal` sends it SIGTERM. */
  static async start(node: string, url: string, signal: AbortSignal): Promise<FleetServerProcess> {
    const server = new FleetServerProcess(node, url, signal)
    try {
      const ready = await withDeadline(
        server.#waitFor((message) => (message.type === "ready" ? message : undefined)),
        START_DEADLINE_MS,
        `${node} serving`
      )
      server.#endpoint = ready.endpoint
      server.#serverKey = ready.serverKey
      return server
    } catch (error) {
      await server.stop()
      throw error
    }
  }

  /** The process id. */
  get pid(): number {
    return this.#child.pid ?? -1
  }

  /** The server's CURVE ROUTER endpoint. */
  get endpoint(): string {
    return this.#endpoint
  }

  /** The server's CURVE public key (Z85). */
  get serverKey(): string {
    return this.#serverKey
  }

  /** Resolves with the `index`-th (0-based) ZAP decision this server reported for `publicKey`. */
  decision(publicKey: string, index: number): Promise<Decision> {
    return this.#waitFor(
      () =>
        this.#messages.filter(
          (message): message is Decision => message.type === "decision" && message.publicKey === publicKey
        )[index]
    )
  }

  /** Resolves with the time this server's store emitted `credential:revoked` for `publicKey`. */
  revocationHeard(publicKey: string): Promise<number> {
    return this.#waitFor((message) =>
      message.type === "revoked" && message.publicKey === publicKey ? message.at : undefined
    )
  }

  /** Asks the process to stop; kills it when it has not exited within 3 s. Resolves once it exited. */
  async stop(): Promise<void> {
    if (this.#exited || this.#child.exitCode !== null || this.#child.signalCode !== null) return
    const exited = new Promise<void>((resolve) => this.#child.once("exit", () => resolve()))
    if (this.#child.connected) this.#child.send({ type: "stop" } satisfies FleetControlMessage)
    else this.#child.kill("SIGTERM")
    try {
      await withDeadline(exited, STOP_DEADLINE_MS, `${this.node} exiting`)
    } catch {
      this.#child.kill("SIGKILL")
      await exited
    }
  }

  /** Resolves with the first non-undefined result of `pick` over the messages; rejects when the process ends first. */
  #waitFor<T>(pick: (message: FleetServerMessage) => T | undefined): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        for (const message of this.#messages) {
          if (message.type === "failed") {
            reject(new Error(`${this.node}: ${message.message}`))
            return true
          }
          const result = pick(message)
          if (result !== undefined) {
            resolve(result)
            return true
          }
        }
        if (this.#exited) reject(new Error(`${this.node} exited`))
        return this.#exited
      }
      if (!check()) this.#watchers.add(check)
    })
  }

  #notify(): void {
    for (const check of [...this.#watchers]) if (check()) this.#watchers.delete(check)
  }
}
