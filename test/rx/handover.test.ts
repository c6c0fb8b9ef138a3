import { describe, expect, it } from "vitest"
import { Subscription } from "rxjs"
import { context, Router } from "zeromq"
import { Authenticator, ZapHandler, ZAP_ENDPOINT } from "@zmq-auth/core"
import { authenticate, zapEndpointReleased, zapRequests, type ZapExchange } from "@zmq-auth/rx"
import { newClientKeys, sendZapFrames, startServer, zapFrames, type HandshakeOutcome } from "../helpers/sockets.js"
import { rxKit } from "./rx-kit.js"
import { attemptHandshakeOnce } from "./single-attempt.js"

/** Clients handshaking at once against the resubscribing handler. */
const ATTACKERS = 6

// Clients keep handshaking (a socket and a monitor each, per attempt) while libzmq reaps
// closed sockets on its own thread: on a loaded machine the reaper lags behind the default limit
// of 1024 sockets. Set before this process creates its first socket.
context.maxSockets = 16_384

const ALLOW = { statusCode: 200, statusText: "OK", userId: "successor" } as const

/** Answers every exchange 200 with user id "successor". */
function allowAll(exchange: ZapExchange): void {
  exchange.reply(ALLOW)
}

describe("zapRequests resubscription", () => {
  const { keep, keepServer } = rxKit()

  /** Counts the unbinds of the ZAP endpoint made by any Router while `run` runs. */
  async function countUnbinds(run: () => Promise<void>): Promise<number> {
    const unbind = Router.prototype.unbind
    let count = 0
    // The native method is read-only on its prototype: shadow it on Router's own.
    Object.defineProperty(Router.prototype, "unbind", {
      configurable: true,
      value(this: Router, address: string) {
        if (address === ZAP_ENDPOINT) count++
        return unbind.call(this, address)
      },
    })
    try {
      await run()
    } finally {
      delete (Router.prototype as Partial<Router>).unbind
    }
    return count
  }

  it("never leaves the endpoint unbound across unsubscribe + subscribe: no CURVE handshake slips through", async () => {
    const server = await startServer({ mechanism: "CURVE" }) // not hardened with requireZap
    keepServer(server)
    const serving = zapRequests().pipe(authenticate(new Authenticator()))
    // Holds whichever subscription is current: unsubscribed after the test whatever happens.
    const current = keep(new Subscription())
    const outcomes: HandshakeOutcome[] = []
    const waiters: Array<{ count: number; resolve: () => void }> = []
    const settled = (count: number): Promise<void> =>
      outcomes.length >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve }))
    let subscription = serving.subscribe()
    current.add(subscription)
    let attacking = true
    const attackers = Array.from({ length: ATTACKERS }, async () => {
      while (attacking) {
        outcomes.push(await attemptHandshakeOnce(server, { mechanism: "CURVE", ...newClientKeys() }))
        for (const waiter of waiters.filter((candidate) => candidate.count <= outcomes.length)) {
          waiters.splice(waiters.indexOf(waiter), 1)
          waiter.resolve()
        }
      }
    })
    // An attacker whose handshake never ends fails the test at once instead of stalling it.
    const crashed = new Promise<never>((_resolve, reject) => {
      for (const attacker of attackers) attacker.catch(reject)
    })
    crashed.catch(() => undefined)
    let unbinds: number
    try {
      unbinds = await countUnbinds(async () => {
        for (let round = 0; round < 50; round++) {
          subscription.unsubscribe()
          subscription = serving.subscribe()
          current.add(subscription)
          // Handshakes keep overlapping the handover: every attacker finishes one per round.
          await Promise.race([settled(outcomes.length + ATTACKERS), crashed])
        }
      })
    } finally {
      attacking = false
      await Promise.allSettled(attackers)
    }
    await Promise.all(attackers)
    expect(outcomes.filter((outcome) => outcome === "handshake")).toEqual([])
    expect(unbinds).toBe(0)
    expect(outcomes.length).toBeGreaterThanOrEqual(50 * ATTACKERS)
  })

  it("hands requests still queued in the socket to the new subscription, which decides them", async () => {
    let held!: (exchange: ZapExchange) => void
    const first = new Promise<ZapExchange>((resolve) => {
      held = resolve
    })
    const releasing = zapRequests({ concurrency: 1 }).subscribe((exchange) => held(exchange))
    const answers = ["1", "2", "3"].map((requestId) => sendZapFrames(zapFrames({ mechanism: "NULL", requestId })))
    const unanswered = await first
    releasing.unsubscribe()
    keep(zapRequests().subscribe(allowAll))
    const replies = await Promise.all(answers)
    const byId = new Map(
      replies.map(([, requestId, statusCode, , userId]) => [
        requestId?.toString(),
        `${statusCode?.toString()} ${userId?.toString()}`,
      ])
    )
    const heldId = unanswered.request.requestId.toString()
    expect(byId.get(heldId)).toBe("500 ")
    expect([...byId].filter(([requestId]) => requestId !== heldId).map(([, reply]) => reply)).toEqual([
      "200 successor",
      "200 successor",
    ])
  })

  it("passes the socket on past a successor that unsubscribed before taking it over", async () => {
    const unbinds = await countUnbinds(async () => {
      const releasing = zapRequests().subscribe(allowAll)
      releasing.unsubscribe()
      zapRequests().subscribe(allowAll).unsubscribe()
      keep(zapRequests().subscribe(allowAll))
      await zapEndpointReleased()
      const [, requestId, statusCode, , userId] = await sendZapFrames(
        zapFrames({ mechanism: "NULL", requestId: "third" })
      )
      expect([requestId?.toString(), statusCode?.toString(), userId?.toString()]).toEqual(["third", "200", "successor"])
    })
    expect(unbinds).toBe(0)
  })

  it("releases the endpoint as before when the successor leaves before the handover", async () => {
    zapRequests().subscribe(allowAll).unsubscribe()
    zapRequests().subscribe(allowAll).unsubscribe()
    await zapEndpointReleased()
    const handler = new ZapHandler(new Authenticator())
    await handler.start()
    await handler.stop()
  })
})
