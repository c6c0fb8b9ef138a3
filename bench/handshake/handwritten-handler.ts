import { ZAP_ENDPOINT } from "@zmq-auth/core"
import { Router } from "zeromq"

const EMPTY = Buffer.alloc(0)
const VERSION = Buffer.from("1.0")
const STATUS_OK = Buffer.from("200")
const TEXT_OK = Buffer.from("OK")
const USER_ID = Buffer.from("anonymous")

/**
 * The bare minimum ZAP handler: a ROUTER at the ZAP endpoint that answers every request 200
 * without reading it. The baseline the adapters are measured against. Resolves with its stop.
 */
export async function startHandwrittenHandler(): Promise<() => Promise<void>> {
  const socket = new Router({ linger: 0 })
  await socket.bind(ZAP_ENDPOINT)
  const loop = (async () => {
    try {
      // Envelope: routing id, empty delimiter; then version, request id, domain, address, ...
      for await (const [routingId, , , requestId] of socket) {
        await socket.send([routingId!, EMPTY, VERSION, requestId!, STATUS_OK, TEXT_OK, USER_ID, EMPTY])
      }
    } catch {
      // The socket was closed while sending: the run is over.
    }
  })()
  return async () => {
    await socket.unbind(ZAP_ENDPOINT)
    socket.close()
    await loop
  }
}
