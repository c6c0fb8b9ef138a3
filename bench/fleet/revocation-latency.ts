import { fork, type ChildProcess } from "node:child_process"
import { once } from "node:events"
import { fileURLToPath } from "node:url"
import { RedisCredentialStore } from "@zmq-auth/redis"
import { curveKeyPair } from "zeromq"
import { epochNow, type FromNode, type ToNode, type WatchMode } from "./revocation-messages.js"

/** Per revoked key: milliseconds from the revocation's EXEC reply to the last node refusing / emitting the event. */
export interface RevocationRound {
  mode: WatchMode
  lastRefusalMs: number
  lastEventMs: number
  /** Nodes that did not refuse (or emit) within the wait. */
  missing: number
}

/** One server process with its own store. */
class FleetNode {
  readonly #child: ChildProcess
  readonly #handlers = new Set<(message: FromNode) => void>()

  constructor(url: string, name: string) {
    const entry = fileURLToPath(new URL("./revocation-node.js", import.meta.url))
    this.#child = fork(entry, [url, name], { stdio: ["ignore", "inherit", "inherit", "ipc"] })
    this.#child.on("message", (message: FromNode) => {
      for (const handler of this.#handlers) handler(message)
    })
  }

  /** Resolves with the first message `accept` takes. */
  next<M extends FromNode>(accept: (message: FromNode) => message is M): Promise<M> {
    return new Promise((resolve, reject) => {
      const onExit = (): void => reject(new Error("a fleet node process exited"))
      const handler = (message: FromNode): void => {
        if (!accept(message)) return
        this.#handlers.delete(handler)
        this.#child.off("exit", onExit)
        resolve(message)
      }
      this.#handlers.add(handler)
      this.#child.once("exit", onExit)
    })
  }

  send(message: ToNode): void {
    this.#child.send(message)
  }

  async close(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return
    const exited = once(this.#child, "exit")
    this.send({ type: "exit" })
    await exited
  }
}

const isType =
  <T extends FromNode["type"]>(type: T, publicKey?: string) =>
  (message: FromNode): message is Extract<FromNode, { type: T }> =>
    message.type === type && (publicKey === undefined || !("publicKey" in message) || message.publicKey === publicKey)

/**
 * Starts `nodeCount` server processes (each a RedisCredentialStore with its own node name) and,
 * for `rounds` fresh keys per {@link WatchMode} (alternating): adds it, waits until every node
 * allows it and watches it, revokes it from this process, and times from the revocation's reply
 * to the last node.
 */
export async function measureRevocations(url: string, nodeCount: number, rounds: number): Promise<RevocationRound[]> {
  const admin = await RedisCredentialStore.connect({ url, node: false })
  const nodes = Array.from({ length: nodeCount }, (_, index) => new FleetNode(url, `bench-node-${index + 1}`))
  try {
    await Promise.all(nodes.map((node) => node.next(isType("ready"))))
    const results: RevocationRound[] = []
    for (let round = 0; round < 2 * rounds; round++) {
      const mode: WatchMode = round % 2 === 0 ? "poll" : "event"
      const { publicKey } = curveKeyPair()
      await admin.addCurveKey("*", publicKey)
      const armed = nodes.map((node) => node.next(isType("armed", publicKey)))
      const refused = nodes.map((node) => node.next(isType("refused", publicKey)))
      for (const node of nodes) node.send({ type: "watch", publicKey, mode })
      await Promise.all(armed)
      await admin.revokeCurveKey("*", publicKey)
      const repliedAt = epochNow()
      const reports = await Promise.all(refused)
      const refusals = reports.flatMap((report) => (report.refusedAt === undefined ? [] : [report.refusedAt]))
      const events = reports.flatMap((report) => (report.revokedEventAt === undefined ? [] : [report.revokedEventAt]))
      results.push({
        mode,
        lastRefusalMs: Math.max(...refusals) - repliedAt,
        lastEventMs: Math.max(...events) - repliedAt,
        missing: 2 * nodeCount - refusals.length - events.length,
      })
    }
    return results
  } finally {
    await Promise.all(nodes.map((node) => node.close()))
    await admin.close()
  }
}
