import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { curveKeyPair, Dealer, Router } from "zeromq"
import { Authenticator, requireZap, ZAP_ENDPOINT, ZapHandler, type DecisionEvent, type ZapRequest } from "@zmq-auth/core"
import { guard } from "../helpers/pyzmq-scenarios.js"

// 50 stop/start cycles of one ZapHandler while new clients keep connecting to servers hardened
// with requireZap, under deny-all policies. libzmq does not retry a handshake the server
// rejected, so each traffic loop opens a fresh client per attempt and paces itself on the
// server's handshake events. Not one handshake may succeed: while the handler runs the policy
// denies, while it is stopped the servers fail closed.

const CYCLES = 50
const DECISIONS_PER_CYCLE = 3
const LOOPS_PER_SERVER = 2

/** A server socket and the handshake outcomes it reported. */
class ObservedServer {
  readonly socket = new Router({ linger: 0 })
  readonly outcomes = { handshake: 0, "handshake:error:auth": 0, "handshake:error:protocol": 0, "handshake:error:other": 0 }
  #total = 0
  #waiters: Array<() => void> = []

  constructor() {
    for (const type of Object.keys(this.outcomes) as Array<keyof ObservedServer["outcomes"]>) {
      this.socket.events.on(type, () => {
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

describe(`ZapHandler stop/start under handshake load (${CYCLES} cycles, deny-all)`, () => {
  const serverKeys = curveKeyPair()
  const clientKeys = curveKeyPair()
  // Engine A: an allow list without 127.0.0.1, so even the right credentials are denied.
  const allowListEngine = new Authenticator()
    .allow("192.0.2.1", "10.0.0.0/8")
    .configurePlain("*", { admin: "secret" })
    .configureCurveKeys("*", [clientKeys.publicKey])
  // Engine B: no address list; PLAIN without a matching user, CURVE without the client's key.
  const noMatchEngine = new Authenticator().configurePlain("*", { someone: "else" }).configureCurveKeys("*", [curveKeyPair().publicKey])
  // Engine C, for NULL while B serves PLAIN and CURVE (B would allow NULL): a deny list with 127.0.0.1.
  const denyListEngine = new Authenticator().deny("127.0.0.1")
  let mode: "allow list" | "no match" = "allow list"
  const handler = new ZapHandler({
    authenticate: (request: ZapRequest) =>
      (mode === "allow list" ? allowListEngine : request.mechanism === "NULL" ? denyListEngine : noMatchEngine).authenticate(request),
  })
  const decisions: DecisionEvent[] = []
  const waiters: Array<() => void> = []
  const servers: ObservedServer[] = []
  const traffic: Array<Promise<number>> = []
  let running = true
  let resourcesBefore = 0

  beforeAll(async () => {
    resourcesBefore = process.getActiveResourcesInfo().length
    for (const engine of [allowListEngine, noMatchEngine, denyListEngine]) {
      engine.on("decision", (event) => {
        decisions.push(event)
        for (const wake of waiters.splice(0)) wake()
      })
    }
    const specs = [
      { domain: "null", setup: (_server: Router) => undefined, client: (_client: Dealer) => undefined },
      {
        domain: "plain",
        setup: (server: Router) => void (server.plainServer = true),
        client: (client: Dealer) => {
          client.plainUsername = "admin"
          client.plainPassword = "secret"
        },
      },
      {
        domain: "curve",
        setup: (server: Router) => {
          server.curveServer = true
          server.curveSecretKey = serverKeys.secretKey
        },
        client: (client: Dealer) => {
          client.curveServerKey = serverKeys.publicKey
          client.curvePublicKey = clientKeys.publicKey
          client.curveSecretKey = clientKeys.secretKey
        },
      },
    ]
    for (const spec of specs) {
      const server = new ObservedServer()
      spec.setup(server.socket)
      requireZap(server.socket, spec.domain)
      await server.socket.bind("tcp://127.0.0.1:*")
      servers.push(server)
      for (let loop = 0; loop < LOOPS_PER_SERVER; loop++) traffic.push(keepConnecting(server, spec.client))
    }
  })
  afterAll(async () => {
    running = false
    await Promise.allSettled(traffic)
    for (const server of servers) server.socket.close()
    await handler.stop()
  })

  /** Opens one client after another against `server` until the test ends; returns the attempts made. */
  async function keepConnecting(server: ObservedServer, credentials: (client: Dealer) => void): Promise<number> {
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

  async function decisionsReach(count: number): Promise<void> {
    while (decisions.length < count) await new Promise<void>((wake) => waiters.push(wake))
  }

  it("lets no handshake through, running or stopped, and frees the endpoint each time", async () => {
    const failedClosed = (): number => servers.reduce((sum, server) => sum + server.outcomes["handshake:error:other"], 0)
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      mode = cycle % 2 === 0 ? "allow list" : "no match"
      await handler.start()
      expect(handler.running).toBe(true)
      await guard(decisionsReach(decisions.length + DECISIONS_PER_CYCLE), 10_000, `cycle ${cycle}: the handler decided nothing`)
      await handler.stop()
      expect(handler.running).toBe(false)
      // Traffic goes on while no handler is bound: the hardened servers fail closed.
      const closedBefore = failedClosed()
      await guard(
        Promise.race(servers.map((server) => server.beyond(server.total))).then(async () => {
          while (failedClosed() === closedBefore) await Promise.race(servers.map((server) => server.beyond(server.total)))
        }),
        10_000,
        `cycle ${cycle}: no handshake was attempted while the handler was stopped`,
      )
    }
    running = false
    const attempts = (await Promise.all(traffic)).reduce((sum, count) => sum + count, 0)
    expect(servers.map((server) => server.outcomes.handshake)).toEqual([0, 0, 0])
    expect(attempts).toBeGreaterThanOrEqual(CYCLES * 2)
    expect(failedClosed()).toBeGreaterThanOrEqual(CYCLES)
    expect(decisions.filter((event) => event.reply.statusCode === 200)).toEqual([])
    // Every deny path and all three mechanisms were exercised.
    expect(new Set(decisions.map((event) => event.reply.statusText))).toEqual(new Set(["Address not allowed", "Address denied", "Invalid username", "Unknown key"]))
    expect(new Set(decisions.map((event) => event.request.mechanism))).toEqual(new Set(["NULL", "PLAIN", "CURVE"]))
  })

  it("leaves the ZAP endpoint free and the process's handles bounded", async () => {
    for (const server of servers.splice(0)) server.socket.close()
    expect(handler.running).toBe(false)
    // The endpoint is free: a plain ROUTER can bind it, and after it a new handler.
    const probe = new Router({ linger: 0 })
    await probe.bind(ZAP_ENDPOINT)
    probe.close()
    const fresh = new ZapHandler(new Authenticator())
    await fresh.start()
    await fresh.stop()
    const resourcesAfter = process.getActiveResourcesInfo().length
    expect(resourcesAfter).toBeLessThanOrEqual(resourcesBefore + 5)
  })
})
