import { curveKeyPair, Router } from "zeromq"
import { requireZap } from "@zmq-auth/core"

/** A Node server for interop clients: answers "pong" to "ping". */
export interface PongServer {
  endpoint: string
  /** The server's CURVE public key (Z85), for CURVE clients. */
  publicKey: string
  close(): void
}

/**
 * A ROUTER on tcp 127.0.0.1 (PLAIN or CURVE server, hardened with `requireZap(domain)`) that
 * answers every "ping" with "pong", keeping the envelope: an empty delimiter from REQ clients,
 * none from DEALER clients.
 */
export async function startPongServer(mechanism: "PLAIN" | "CURVE", domain: string): Promise<PongServer> {
  const socket = new Router({ linger: 0 })
  const keys = curveKeyPair()
  if (mechanism === "PLAIN") socket.plainServer = true
  else {
    socket.curveServer = true
    socket.curveSecretKey = keys.secretKey
  }
  requireZap(socket, domain)
  await socket.bind("tcp://127.0.0.1:*")
  void (async () => {
    for await (const frames of socket) {
      if (frames.at(-1)?.toString() === "ping") await socket.send([...frames.slice(0, -1), "pong"])
    }
  })().catch(() => undefined)
  return { endpoint: socket.lastEndpoint!, publicKey: keys.publicKey, close: () => socket.close() }
}
