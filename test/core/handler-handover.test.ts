import { describe, expect, it, vi } from "vitest"
import { context, Router } from "zeromq"
import { Authenticator, AuthenticatorError, ZAP_ENDPOINT, ZapHandler } from "@zmq-auth/core"
import { allowing } from "../helpers/allowing-engine.js"
import { newClientKeys, sendZapFrames, startServer, zapFrames, type HandshakeOutcome } from "../helpers/sockets.js"
import { attemptHandshakeOnce } from "../rx/single-attempt.js"

// Each handshake attempt makes a socket and a monitor; libzmq reaps closed ones on its own
// thread, which lags on a loaded machine. Set before this process creates its first socket.
context.maxSockets = 16_384

/** Runs `run` and resolves with how many times a Router unbound the ZAP endpoint meanwhile. */
async function unbindsDuring(run: () => Promise<void>): Promise<number> {
  const unbind = vi.spyOn(Router.prototype, "unbind")
  const earlier = unbind.mock.calls.length
  try {
    await run()
    return unbind.mock.calls.slice(earlier).filter(([address]) => address === ZAP_ENDPOINT).length
  } finally {
    unbind.mockRestore()
  }
}

describe("ZapHandler restart without a gap", () => {
  it("a handler started while another stops takes over its socket and queue after in-flight decisions", async () => {
    let releaseHeld!: () => void
    const held = new Promise<void>((resolve) => {
      releaseHeld = resolve
    })
    let asked!: () => void
    const firstAsked = new Promise<void>((resolve) => {
      asked = resolve
    })
    const first = new ZapHandler(
      {
        async authenticate(request) {
          asked()
          await held
          return { requestId: request.requestId, statusCode: 200, statusText: "OK", userId: "first" }
        },
      },
      { concurrency: 1 }
    )
    await first.start()
    const second = new ZapHandler(allowing("second"))
    const unbinds = await unbindsDuring(async () => {
      const answers = ["1", "2", "3"].map((requestId) => sendZapFrames(zapFrames({ mechanism: "NULL", requestId })))
      await firstAsked
      const stopping = first.stop()
      // The successor takes over once the decisions in flight are answered.
      const starting = second.start()
      releaseHeld()
      await Promise.all([starting, stopping])
      expect(second.running).toBe(true)
      const replies = (await Promise.all(answers)).map(
        ([, requestId, statusCode, , userId]) => `${String(requestId)} ${String(statusCode)} ${String(userId)}`
      )
      expect(replies.filter((reply) => reply.endsWith(" first"))).toHaveLength(1)
      expect(replies.filter((reply) => reply.endsWith(" second"))).toHaveLength(2)
      expect(replies.every((reply) => reply.includes(" 200 "))).toBe(true)
    })
    expect(unbinds).toBe(0)
    expect(first.running).toBe(false)
    await second.stop()
  })

  it("a handler restarted while it is stopping takes over its own socket", async () => {
    const handler = new ZapHandler(allowing("restarted"))
    await handler.start()
    const unbinds = await unbindsDuring(async () => {
      const stopping = handler.stop()
      await handler.start()
      await stopping
      expect(handler.running).toBe(true)
      const [, , statusCode, , userId] = await sendZapFrames(zapFrames({ mechanism: "NULL" }))
      expect([String(statusCode), String(userId)]).toEqual(["200", "restarted"])
    })
    expect(unbinds).toBe(0)
    await handler.stop()
    expect(handler.running).toBe(false)
  })

  it("still rejects a second handler while the first runs", async () => {
    await using first = new ZapHandler(allowing("first"))
    await first.start()
    await expect(new ZapHandler(allowing("second")).start()).rejects.toBeInstanceOf(AuthenticatorError)
    expect(first.running).toBe(true)
  })

  it("lets no CURVE handshake through an unhardened server across 20 stop + start cycles under traffic", async () => {
    const server = await startServer({ mechanism: "CURVE" })
    const denyAll = new Authenticator()
    let current = new ZapHandler(denyAll)
    await current.start()
    const outcomes: HandshakeOutcome[] = []
    let attacking = true
    const attackers = Array.from({ length: 4 }, async () => {
      while (attacking) outcomes.push(await attemptHandshakeOnce(server, { mechanism: "CURVE", ...newClientKeys() }))
    })
    const unbinds = await unbindsDuring(async () => {
      for (let round = 0; round < 20; round++) {
        const stopping = current.stop()
        current = new ZapHandler(denyAll)
        await current.start()
        await stopping
        outcomes.push(await attemptHandshakeOnce(server, { mechanism: "CURVE", ...newClientKeys() }))
      }
    })
    attacking = false
    await Promise.all(attackers)
    await current.stop()
    server.close()
    expect(unbinds).toBe(0)
    expect(outcomes.length).toBeGreaterThanOrEqual(20)
    expect(outcomes.filter((outcome) => outcome === "handshake")).toEqual([])
  })
})
