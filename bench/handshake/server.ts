import { requireZap } from "@zmq-auth/core"
import { Router, type Context } from "zeromq"
import { BENCH_DOMAIN, type KeyPair, type MechanismName } from "./credentials.js"

/** A bound benchmark server. */
export interface BenchServer {
  endpoint: string
  close(): void
}

/**
 * Binds a ROUTER server for `mechanism` on tcp 127.0.0.1 (ephemeral port). `hardened` servers
 * use `requireZap` (domain {@link BENCH_DOMAIN}), so every handshake goes through the ZAP
 * handler; the others have no ZAP domain and libzmq decides NULL and CURVE alone. The socket is
 * made in `context` (default zeromq's global context), whose ZAP handler then decides.
 */
export async function startServer(
  mechanism: MechanismName,
  hardened: boolean,
  serverKeys: KeyPair,
  context?: Context
): Promise<BenchServer> {
  const socket = new Router(context === undefined ? { linger: 0 } : { linger: 0, context })
  if (mechanism === "PLAIN") socket.plainServer = true
  if (mechanism === "CURVE") {
    socket.curveServer = true
    socket.curveSecretKey = serverKeys.secretKey
  }
  if (hardened) requireZap(socket, BENCH_DOMAIN)
  await socket.bind("tcp://127.0.0.1:*")
  return { endpoint: socket.lastEndpoint!, close: () => socket.close() }
}
