/**
 * Entry point of the worker thread of {@link ZapRequestDriver} (zap-requests.ts). On a
 * "fill" message a DEALER connects to the given inproc endpoint (zeromq's global context is shared
 * by every thread; inproc queues messages for an address not bound yet) and sends `count` NULL
 * requests; on "drain" it reads the replies of that endpoint's requests, closes the DEALER and
 * posts back a {@link ZapRequestRun}. Several endpoints may be filled before they are drained.
 */
import { parentPort } from "node:worker_threads"
import { Dealer } from "zeromq"
import type { ZapRequestRun, ZapWorkerCommand } from "./zap-requests.js"

const EMPTY = Buffer.alloc(0)
const VERSION = Buffer.from("1.0")
const ADDRESS = Buffer.from("127.0.0.1")
const NULL_MECHANISM = Buffer.from("NULL")
const STATUS_OK = "200"

const filled = new Map<string, { dealer: Dealer; count: number }>()

async function fill(endpoint: string, domain: string, count: number): Promise<void> {
  // No high-water marks: the whole burst waits in the inproc pipe, none is dropped.
  const dealer = new Dealer({ linger: 0, sendHighWaterMark: 0, receiveHighWaterMark: 0 })
  dealer.connect(endpoint)
  const domainFrame = Buffer.from(domain)
  for (let index = 0; index < count; index++) {
    const requestId = Buffer.alloc(4)
    requestId.writeUInt32BE(index)
    // A REQ-style envelope (empty delimiter), as libzmq's own ZAP client sends.
    await dealer.send([EMPTY, VERSION, requestId, domainFrame, ADDRESS, EMPTY, NULL_MECHANISM])
  }
  filled.set(endpoint, { dealer, count })
}

async function drain(endpoint: string): Promise<ZapRequestRun> {
  const { dealer, count } = filled.get(endpoint)!
  filled.delete(endpoint)
  let denied = 0
  try {
    for (let answered = 0; answered < count; answered++) {
      const [, , , status] = await dealer.receive()
      if (status?.toString("latin1") !== STATUS_OK) denied++
    }
  } finally {
    dealer.close()
  }
  return { denied }
}

parentPort!.on("message", (command: ZapWorkerCommand) => {
  const done = command.kind === "fill" ? fill(command.endpoint, command.domain, command.count) : drain(command.endpoint)
  done.then(
    (result) => parentPort!.postMessage(result ?? {}),
    (error: unknown) => parentPort!.postMessage({ error: error instanceof Error ? error.message : String(error) })
  )
})
