import { existsSync, readdirSync } from "node:fs"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { curveKeyPair, Router } from "zeromq"
import { Authenticator, ZAP_ENDPOINT, ZapHandler, type DecisionEvent, type ZapRequest } from "@zmq-auth/core"
import { guard } from "../helpers/pyzmq-scenarios.js"
import { startTraffic, TRAFFIC_KEYS, TRAFFIC_PLAIN, type Traffic } from "./traffic.js"

// 50 stop/start cycles of one ZapHandler while new clients keep connecting to servers hardened
// with requireZap, under deny-all policies. Not one handshake may succeed: while the handler
// runs the policy denies, while it is stopped the servers fail closed.

const CYCLES = 50
const DECISIONS_PER_CYCLE = 3

/** Open file descriptors of this process (Linux), which leaked ZeroMQ sockets would hold. */
function openDescriptors(): number {
  return existsSync("/proc/self/fd") ? readdirSync("/proc/self/fd").length : 0
}

/**
 * Resolves with `measure()` once it is at most `limit`, or with its last value after 15 s:
 * libzmq closes sockets on its reaper thread, so descriptors go away shortly after close().
 */
async function settlesTo(measure: () => number, limit: number): Promise<number> {
  // libzmq's reaper thread frees closed sockets with no event to await: poll, leaving it the
  // CPU (a loaded machine needs seconds), up to a limit.
  const deadline = Date.now() + 15_000
  let value = measure()
  while (value > limit && Date.now() < deadline) {
    await new Promise<void>((resolve) => setTimeout(resolve, 10))
    value = measure()
  }
  return value
}

// Two steps of one scenario, in this order (also under --sequence.shuffle): the second checks
// what the first left behind, once its traffic has ended.
describe(`ZapHandler stop/start under handshake load (${CYCLES} cycles, deny-all)`, { shuffle: false }, () => {
  // Engine A: an allow list without 127.0.0.1, so even the right credentials are denied.
  const allowListEngine = new Authenticator()
    .allow("192.0.2.1", "10.0.0.0/8")
    .configurePlain("*", { [TRAFFIC_PLAIN.username]: TRAFFIC_PLAIN.password })
    .configureCurveKeys("*", [TRAFFIC_KEYS.client.publicKey])
  // Engine B: no address list; PLAIN without a matching user, CURVE without the client's key.
  const noMatchEngine = new Authenticator()
    .configurePlain("*", { someone: "else" })
    .configureCurveKeys("*", [curveKeyPair().publicKey])
  // Engine C, for NULL while B serves PLAIN and CURVE (B would allow NULL): a deny list with 127.0.0.1.
  const denyListEngine = new Authenticator().deny("127.0.0.1")
  let mode: "allow list" | "no match" = "allow list"
  const handler = new ZapHandler({
    authenticate: (request: ZapRequest) =>
      (mode === "allow list"
        ? allowListEngine
        : request.mechanism === "NULL"
          ? denyListEngine
          : noMatchEngine
      ).authenticate(request),
  })
  const decisions: DecisionEvent[] = []
  const waiters: Array<() => void> = []
  let traffic: Traffic
  let resourcesBefore = 0
  let descriptorsBefore = 0

  beforeAll(async () => {
    resourcesBefore = process.getActiveResourcesInfo().length
    descriptorsBefore = openDescriptors()
    for (const engine of [allowListEngine, noMatchEngine, denyListEngine]) {
      engine.on("decision", (event) => {
        decisions.push(event)
        for (const wake of waiters.splice(0)) wake()
      })
    }
    traffic = await startTraffic()
  })
  afterAll(async () => {
    await traffic.end()
    await handler.stop()
  })

  async function decisionsReach(count: number): Promise<void> {
    while (decisions.length < count) await new Promise<void>((wake) => waiters.push(wake))
  }

  it("lets no handshake through, running or stopped, and frees the endpoint each time", async () => {
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      mode = cycle % 2 === 0 ? "allow list" : "no match"
      await handler.start()
      expect(handler.running).toBe(true)
      await guard(
        decisionsReach(decisions.length + DECISIONS_PER_CYCLE),
        10_000,
        `cycle ${cycle}: the handler decided nothing`
      )
      await handler.stop()
      expect(handler.running).toBe(false)
      // Traffic goes on while no handler is bound: the hardened servers fail closed.
      await guard(
        traffic.nextFailedClosed(),
        10_000,
        `cycle ${cycle}: no handshake failed closed while the handler was stopped`
      )
    }
    const attempts = await traffic.end()
    expect(traffic.succeeded()).toBe(0)
    expect(attempts).toBeGreaterThanOrEqual(CYCLES * 2)
    expect(traffic.failedClosed()).toBeGreaterThanOrEqual(CYCLES)
    expect(decisions.filter((event) => event.reply.statusCode === 200)).toEqual([])
    // Every deny path and all three mechanisms were exercised.
    expect(new Set(decisions.map((event) => event.reply.statusText))).toEqual(
      new Set(["Address not allowed", "Address denied", "Invalid username", "Unknown key"])
    )
    expect(new Set(decisions.map((event) => event.request.mechanism))).toEqual(new Set(["NULL", "PLAIN", "CURVE"]))
  })

  it("leaves the ZAP endpoint free and the process's handles bounded", async () => {
    expect(handler.running).toBe(false)
    // The endpoint is free: a plain ROUTER can bind it, and after it a new handler.
    const probe = new Router({ linger: 0 })
    await probe.bind(ZAP_ENDPOINT)
    // Unbind before close: close() alone frees an inproc endpoint later, on libzmq's reaper thread.
    await probe.unbind(ZAP_ENDPOINT)
    probe.close()
    const fresh = new ZapHandler(new Authenticator())
    await fresh.start()
    await fresh.stop()
    const resources = await settlesTo(() => process.getActiveResourcesInfo().length, resourcesBefore + 10)
    expect(resources, `active resources: ${process.getActiveResourcesInfo().join(", ")}`).toBeLessThanOrEqual(
      resourcesBefore + 10
    )
    // Hundreds of client sockets were opened and closed: their descriptors must be gone.
    expect(await settlesTo(openDescriptors, descriptorsBefore + 16)).toBeLessThanOrEqual(descriptorsBefore + 16)
  })
})
