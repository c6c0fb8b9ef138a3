import { ZAP_ENDPOINT } from "@zmq-auth/core"
import { Router, type Context } from "zeromq"

const EMPTY = Buffer.alloc(0)
const VERSION = Buffer.from("1.0")
const STATUS_OK = Buffer.from("200")
const TEXT_OK = Buffer.from("OK")
const USER_ID = Buffer.from("anonymous")

/**
 * The bare minimum ZAP handler: a ROUTER at the ZAP endpoint that answers every request 200
 * without reading it. The baseline the adapters are measured against. Binds `endpoint` (default
 * the ZAP endpoint) in `context` (default zeromq's global context), calling `answered` (if
 * given) after each reply is handed to zeromq.js; resolves with its stop.
 */
export async function startHandwrittenHandler(
  endpoint: string = ZAP_ENDPOINT,
  context?: Context,
  answered?: () => void
): Promise<() => Promise<void>> {
  const socket = new Router(context === undefined ? { linger: 0 } : { linger: 0, context })
  await socket.bind(endpoint)
  const loop = (async () => {
    try {
      // Envelope: routing id, empty delimiter; then version, request id, domain, address, ...
      for await (const [routingId, , , requestId] of socket) {
        await socket.send([routingId!, EMPTY, VERSION, requestId!, STATUS_OK, TEXT_OK, USER_ID, EMPTY])
        answered?.()
      }
    } catch {
      // The socket was closed while sending: the run is over.
    }
  })()
  return async () => {
    await socket.unbind(endpoint)
    socket.close()
    await loop
  }
}
