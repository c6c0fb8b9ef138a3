import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Router } from "zeromq"
import { Authenticator, ZAP_ENDPOINT, type DecisionEvent } from "@zmq-auth/core"
import { authenticate, zapEndpointReleased, zapRequests } from "@zmq-auth/rx"
import { ThreadAuthenticator } from "@zmq-auth/thread"
import { guard } from "../helpers/pyzmq-scenarios.js"
import { startTraffic, TRAFFIC_KEYS, TRAFFIC_PLAIN, type Traffic } from "./traffic.js"

// The stop/start fault of restart.test.ts on the thread and rx adapters, with the policy set
// before the first start (configuring after start would leave a window where NULL is allowed:
// an empty policy accepts NULL, as pyzmq's does). The deny-all policy: an allow list without
// 127.0.0.1, although the clients hold the right PLAIN password and CURVE key.

const DECISIONS_PER_CYCLE = 3
/** Time limit per stop/start cycle: each waits for real handshakes and, on the thread adapter, a worker thread. */
const CYCLE_BUDGET_MS = 5_000

interface Restartable {
  name: string
  cycles: number
  start(): Promise<void>
  stop(): Promise<void>
  onDecision(listener: (event: DecisionEvent) => void): void
}

function threadRestartable(): Restartable {
  const authenticator = new ThreadAuthenticator()
  // Configured before start: ThreadAuthenticator records the calls and applies them at each start.
  const configured = (async () => {
    await authenticator.allow("192.0.2.1")
    await authenticator.configurePlain("*", { [TRAFFIC_PLAIN.username]: TRAFFIC_PLAIN.password })
    await authenticator.configureCurveKeys("*", [TRAFFIC_KEYS.client.publicKey])
  })()
  return {
    name: "thread (ThreadAuthenticator)",
    cycles: 20,
    async start() {
      await configured
      await authenticator.start()
    },
    stop: () => authenticator.stop(),
    onDecision: (listener) => void authenticator.on("decision", listener),
  }
}

function rxRestartable(): Restartable {
  const engine = new Authenticator()
    .allow("192.0.2.1")
    .configurePlain("*", { [TRAFFIC_PLAIN.username]: TRAFFIC_PLAIN.password })
    .configureCurveKeys("*", [TRAFFIC_KEYS.client.publicKey])
  let subscription: { unsubscribe(): void } | undefined
  return {
    name: "rx (zapRequests + authenticate)",
    cycles: 50,
    async start() {
      subscription = zapRequests()
        .pipe(authenticate(engine))
        .subscribe({ error: () => undefined })
    },
    async stop() {
      subscription?.unsubscribe()
      await zapEndpointReleased()
    },
    onDecision: (listener) => void engine.on("decision", listener),
  }
}

for (const make of [threadRestartable, rxRestartable]) {
  const adapter = make()
  describe(`${adapter.name} stop/start under handshake load (${adapter.cycles} cycles, deny-all)`, () => {
    let traffic: Traffic
    const decisions: DecisionEvent[] = []
    const waiters: Array<() => void> = []

    beforeAll(async () => {
      adapter.onDecision((event) => {
        decisions.push(event)
        for (const wake of waiters.splice(0)) wake()
      })
      traffic = await startTraffic()
    })
    afterAll(async () => {
      await traffic.end()
      await adapter.stop()
    })

    async function decisionsReach(count: number): Promise<void> {
      while (decisions.length < count) await new Promise<void>((wake) => waiters.push(wake))
    }

    // A fixed amount of work (a worker thread start and stop per cycle for the thread adapter):
    // the time limit grows with it, as a hang guard on a loaded machine.
    it(
      "lets no handshake through, running or stopped, and frees the endpoint",
      async () => {
        for (let cycle = 0; cycle < adapter.cycles; cycle++) {
          await adapter.start()
          await guard(
            decisionsReach(decisions.length + DECISIONS_PER_CYCLE),
            10_000,
            `cycle ${cycle}: nothing was decided`
          )
          await adapter.stop()
          await guard(traffic.nextFailedClosed(), 10_000, `cycle ${cycle}: no handshake failed closed while stopped`)
        }
        const attempts = await traffic.end()
        expect(traffic.succeeded()).toBe(0)
        expect(attempts).toBeGreaterThanOrEqual(adapter.cycles * 2)
        expect(decisions.filter((event) => event.reply.statusCode === 200)).toEqual([])
        expect(new Set(decisions.map((event) => event.reply.statusText))).toEqual(new Set(["Address not allowed"]))
        expect(new Set(decisions.map((event) => event.request.mechanism))).toEqual(new Set(["NULL", "PLAIN", "CURVE"]))
        const probe = new Router({ linger: 0 })
        await probe.bind(ZAP_ENDPOINT)
        await probe.unbind(ZAP_ENDPOINT)
        probe.close()
      },
      CYCLE_BUDGET_MS * adapter.cycles
    )
  })
}
