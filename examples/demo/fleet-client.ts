import { Dealer } from "zeromq"
import type { KeyPair } from "./certificates.js"
import { withDeadline } from "./deadline.js"
import { watchHandshake, type HandshakeOutcome } from "./subscriber.js"

const HANDSHAKE_DEADLINE_MS = 5000

/**
 * Makes one new CURVE connection as `client` to a server (no reconnection)
 * and resolves with how its handshake ended.
 */
export async function connectOnce(endpoint: string, serverKey: string, client: KeyPair): Promise<HandshakeOutcome> {
  const socket = new Dealer({
    curveServerKey: serverKey,
    curvePublicKey: client.publicKey,
    curveSecretKey: client.secretKey,
    reconnectInterval: -1,
    linger: 0,
  })
  try {
    const outcome = watchHandshake(socket)
    socket.connect(endpoint)
    return await withDeadline(outcome, HANDSHAKE_DEADLINE_MS, `a handshake with ${endpoint}`)
  } finally {
    socket.close()
  }
}
