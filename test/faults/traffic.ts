import { curveKeyPair, Dealer, Router } from "zeromq"
import { requireZap } from "@zmq-auth/core"
import { guard } from "../helpers/pyzmq-scenarios.js"
import { socketEvents } from "../helpers/sockets.js"

/** A server socket and the handshake outcomes it reported. */
export class ObservedServer {
  readonly socket = new Router({ linger: 0 })
  readonly outcomes = {
    handshake: 0,
    "handshake:error:auth": 0,
    "handshake:error:protocol": 0,
    "handshake:error:other": 0,
  }
  #total = 0
  #waiters: Array<() => void> = []

  constructor() {
    for (const type of Object.keys(this.outcomes) as Array<keyof ObservedServer["outcomes"]>) {
      socketEvents(this.socket).on(type, () => {
        this.outcomes[type]++
        this.#total++
        for (const wake of this.#waiters.splice(0)) wake()
      })
    }
  }

  get total(): number {
    return this.#total
  }

  /** Resolves once more than `seen` outcomes were reported. */
  async beyond(seen: number): Promise<void> {
    while (this.#total <= seen) await new Promise<void>((wake) => this.#waiters.push(wake))
  }
}

/** Keys of the traffic's CURVE server and clients; `client` holds the right credentials. */
export const TRAFFIC_KEYS = { server: curveKeyPair(), client: curveKeyPair() }
/** The PLAIN credentials the traffic's clients present. */
export const TRAFFIC_PLAIN = { username: "admin", password: "secret" }

/** Handshake traffic that keeps opening clients against NULL, PLAIN and CURVE servers. */
export interface Traffic {
  servers: ObservedServer[]
  /** Handshakes that succeeded, over all servers. */
  succeeded(): number
  /** Handshakes the servers failed closed (no handler bound). */
  failedClosed(): number
  /** Resolves once some server reports a new fail-closed outcome. */
  nextFailedClosed(): Promise<void>
  /** Stops opening clients, closes the servers; resolves with the number of attempts made. */
  end(): Promise<number>
}

/**
 * Binds three servers hardened with requireZap (domains "null", "plain", "curve") and starts
 * `loopsPerServer` loops per server, each opening one client after another with the right
 * credentials: libzmq does not retry a handshake the server rejected, so fresh clients keep
 * the load up. Each loop paces itself on the server's handshake events.
 */
export async function startTraffic(loopsPerServer = 2): Promise<Traffic> {
  const specs: Array<{ domain: string; server: (socket: Router) => void; client: (socket: Dealer) => void }> = [
    { domain: "null", server: () => undefined, client: () => undefined },
    {
      domain: "plain",
      server: (socket) => void (socket.plainServer = true),
      client: (socket) => {
        socket.plainUsername = TRAFFIC_PLAIN.username
        socket.plainPassword = TRAFFIC_PLAIN.password
      },
    },
    {
      domain: "curve",
      server: (socket) => {
        socket.curveServer = true
        socket.curveSecretKey = TRAFFIC_KEYS.server.secretKey
      },
      client: (socket) => {
        socket.curveServerKey = TRAFFIC_KEYS.server.publicKey
        socket.curvePublicKey = TRAFFIC_KEYS.client.publicKey
        socket.curveSecretKey = TRAFFIC_KEYS.client.secretKey
      },
    },
  ]
  let running = true
  const servers: ObservedServer[] = []
  const loops: Array<Promise<number>> = []
  const keepConnecting = async (server: ObservedServer, credentials: (client: Dealer) => void): Promise<number> => {
    let attempts = 0
    while (running) {
      const client = new Dealer({ linger: 0 })
      credentials(client)
      const seen = server.total
      client.connect(server.socket.lastEndpoint!)
      await guard(server.beyond(seen), 10_000, "a client's handshake had no outcome on the server")
      client.close()
      attempts++
    }
    return attempts
  }
  for (const spec of specs) {
    const server = new ObservedServer()
    spec.server(server.socket)
    requireZap(server.socket, spec.domain)
    await server.socket.bind("tcp://127.0.0.1:*")
    servers.push(server)
    for (let loop = 0; loop < loopsPerServer; loop++) loops.push(keepConnecting(server, spec.client))
  }
  const failedClosed = (): number => servers.reduce((sum, server) => sum + server.outcomes["handshake:error:other"], 0)
  return {
    servers,
    succeeded: () => servers.reduce((sum, server) => sum + server.outcomes.handshake, 0),
    failedClosed,
    async nextFailedClosed() {
      const before = failedClosed()
      while (failedClosed() === before) await Promise.race(servers.map((server) => server.beyond(server.total)))
    },
    async end() {
      running = false
      const attempts = (await Promise.all(loops)).reduce((sum, count) => sum + count, 0)
      for (const server of servers) server.socket.close()
      return attempts
    },
  }
}
