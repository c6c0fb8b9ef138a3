import {
  awaitHandshake,
  createClient,
  type ClientSpec,
  type HandshakeOutcome,
  type TestServer,
} from "../helpers/sockets.js"

/**
 * One handshake with reconnection off: a client that libzmq reconnects after a failed handshake
 * (before the test closes it) would send a second request and count twice.
 */
export async function attemptHandshakeOnce(server: TestServer, spec: ClientSpec): Promise<HandshakeOutcome> {
  const client = createClient(spec, server)
  client.reconnectInterval = -1
  try {
    const outcome = awaitHandshake(client)
    client.connect(server.endpoint)
    return await outcome
  } finally {
    client.close()
  }
}
