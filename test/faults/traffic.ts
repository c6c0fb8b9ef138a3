import { curveKeyPair, Dealer, Router, type EventOfType } from "zeromq"
import { requireZap } from "@zmq-auth/core"
import { guard } from "../helpers/pyzmq-scenarios.js"
import { nudgeUntil, socketEvents } from "../helpers/sockets.js"

type Outcome = "handshake" | "handshake:error:auth" | "handshake:error:protocol" | "handshake:error:other"
const OUTCOMES: readonly Outcome[] = [
  "handshake",
  "handshake:error:auth",
  "handshake:error:protocol",
  "handshake:error:other",
]

/**
 * A server socket that takes one client at a time, each on an address of its own, and counts
 * how their handshakes ended. A server reports several outcomes for one client (one failing
 * closed reports two at once and may report one more when the client goes), and its events
 * name only the address the client connected to: a fresh address per client is what ties an
 * outcome to its client. Pacing on "the next outcome" instead would take a late report of one
 * client for the next client's, close that one in the middle of its handshake, whose report then
 * closes the next, and so on: a chain in which the handler sees no request at all.
 */
export class ObservedServer {
  readonly socket = new Router({ linger: 0 })
  /** The first outcome of each client, by kind. */
  readonly outcomes: Record<Outcome, number> = {
    handshake: 0,
    "handshake:error:auth": 0,
    "handshake:error:protocol": 0,
    "handshake:error:other": 0,
  }
  /** The client waiting for its outcome, by the address it connected to. */
  readonly #attempts = new Map<string, () => void>()
  #waiters: Array<() => void> = []

  constructor() {
    const events = socketEvents(this.socket)
    for (const type of OUTCOMES) events.on(type, (event: EventOfType<Outcome>) => this.#report(type, event.address))
  }

  /**
   * Binds a fresh address, connects the client `open` makes there, and resolves once the server
   * reported how that client's handshake ended; the client is closed and the address unbound.
   */
  async attempt(open: (endpoint: string) => Dealer): Promise<void> {
    await this.socket.bind("tcp://127.0.0.1:*")
    const endpoint = this.socket.lastEndpoint!
    const ended = new Promise<void>((resolve) => this.#attempts.set(endpoint, resolve))
    const client = open(endpoint)
    try {
      // A server's observer can leave an outcome unread: see nudgeUntil.
      await guard(nudgeUntil(this.socket, ended), 10_000, "a client's handshake had no outcome on the server")
    } finally {
      this.#attempts.delete(endpoint)
      client.close()
      await this.socket.unbind(endpoint)
    }
  }

  /** Resolves at the next outcome this server reports. */
  nextOutcome(): Promise<void> {
    return new Promise<void>((wake) => this.#waiters.push(wake))
  }

  #report(type: Outcome, address: string): void {
    const ended = this.#attempts.get(address)
    // Not the first report of the client at this address: counted already.
    if (ended === undefined) return
    this.#attempts.delete(address)
    this.outcomes[type]++
    ended()
    for (const wake of this.#waiters.splice(0)) wake()
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
 * Binds `serversPerMechanism` servers per mechanism, hardened with requireZap (domains "null",
 * "plain", "curve"), and runs one loop per server that opens one client after another with the
 * right credentials (libzmq does not retry a handshake the server rejected, so fresh clients keep
 * the load up), each once the server reported how the previous one ended (see
 * {@link ObservedServer}).
 */
export async function startTraffic(serversPerMechanism = 2): Promise<Traffic> {
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
      await server.attempt((endpoint) => {
        // One attempt per client: a client the server failed closed would otherwise reconnect.
        const client = new Dealer({ linger: 0, reconnectInterval: -1 })
        credentials(client)
        client.connect(endpoint)
        return client
      })
      attempts++
    }
    return attempts
  }
  for (const spec of specs) {
    for (let copy = 0; copy < serversPerMechanism; copy++) {
      const server = new ObservedServer()
      spec.server(server.socket)
      requireZap(server.socket, spec.domain)
      servers.push(server)
      loops.push(keepConnecting(server, spec.client))
    }
  }
  const failedClosed = (): number => servers.reduce((sum, server) => sum + server.outcomes["handshake:error:other"], 0)
  return {
    servers,
    succeeded: () => servers.reduce((sum, server) => sum + server.outcomes.handshake, 0),
    failedClosed,
    async nextFailedClosed() {
      const before = failedClosed()
      while (failedClosed() === before) await Promise.race(servers.map((server) => server.nextOutcome()))
    },
    async end() {
      running = false
      const attempts = (await Promise.all(loops)).reduce((sum, count) => sum + count, 0)
      for (const server of servers) server.socket.close()
      return attempts
    },
  }
}
