import { describe, expect, it } from "vitest"
import { Context, curveKeyPair, Dealer } from "zeromq"
import {
  Authenticator,
  AuthenticatorError,
  requireZap,
  ZAP_ENDPOINT,
  ZapHandler,
  ZapProtocolError,
  type ZapRequest,
} from "@zmq-auth/core"
import {
  attemptHandshake,
  awaitHandshake,
  createClient,
  sendZapFrames,
  startServer,
  zapFrames,
  type HandshakeOutcome,
} from "../helpers/sockets.js"

/**
 * Makes every CURVE decision of `engine` wait (allowing) until `release()`; `everyoneAsked`
 * resolves once `count` decisions are waiting.
 */
function holdCurveDecisions(
  engine: Authenticator,
  count: number
): { everyoneAsked: Promise<void>; release: () => void } {
  let release!: () => void
  const gate = new Promise<void>((resolve) => {
    release = resolve
  })
  let asked = 0
  let allAsked!: () => void
  const everyoneAsked = new Promise<void>((resolve) => {
    allAsked = resolve
  })
  engine.configureCurveCallback("*", async () => {
    if (++asked === count) allAsked()
    await gate
    return true
  })
  return { everyoneAsked, release }
}

describe("ZapHandler", () => {
  it("validates its options with TypeError naming the option", () => {
    const engine = new Authenticator()
    expect(() => new ZapHandler(engine, { concurrency: 0 })).toThrow(/concurrency/)
    expect(() => new ZapHandler(engine, { endpoint: "" })).toThrow(/endpoint/)
    expect(() => new ZapHandler({} as Authenticator)).toThrow(/authenticate/)
  })

  it("emits protocol:error for each malformed request and keeps serving", async () => {
    await using handler = new ZapHandler(new Authenticator())
    const errors: ZapProtocolError[] = []
    handler.on("protocol:error", (error) => errors.push(error))
    await handler.start()
    await sendZapFrames(zapFrames({ version: "0.9", mechanism: "NULL" }))
    await sendZapFrames([Buffer.from("1.0"), Buffer.from("short")])
    const reply = await sendZapFrames(zapFrames({ requestId: "ok", mechanism: "NULL" }))
    expect(reply.map(String).slice(1, 3)).toEqual(["ok", "200"])
    expect(errors.map((error) => error.statusText)).toEqual(["Invalid version", "Not enough frames"])
    expect(errors.map((error) => error instanceof ZapProtocolError)).toEqual([true, true])
  })

  it("rejects start() twice and start() on an endpoint that has a handler", async () => {
    await using first = new ZapHandler(new Authenticator())
    await first.start()
    await expect(first.start()).rejects.toBeInstanceOf(AuthenticatorError)
    const second = new ZapHandler(new Authenticator())
    await expect(second.start()).rejects.toMatchObject({
      code: "ERR_AUTHENTICATOR",
      message: expect.stringContaining("already has a ZAP handler"),
    })
    expect(second.running).toBe(false)
  })

  it("stop() during a start() that fails to bind resolves, and the handler can start later", async () => {
    const first = new ZapHandler(new Authenticator())
    await first.start()
    const second = new ZapHandler(new Authenticator().deny("127.0.0.1"))
    const starting = second.start()
    // stop() settles although the receive loop never started.
    await Promise.all([expect(starting).rejects.toBeInstanceOf(AuthenticatorError), second.stop()])
    expect(second.running).toBe(false)
    await first.stop()
    await second.start()
    expect(second.running).toBe(true)
    const server = await startServer({ mechanism: "NULL", domain: "restarted" })
    try {
      expect(await attemptHandshake(server, { mechanism: "NULL" })).toBe("handshake:error:auth")
    } finally {
      server.close()
      await second.stop()
    }
  })

  it("stop() before start() changes nothing: the start() that follows stands", async () => {
    const handler = new ZapHandler(new Authenticator().deny("127.0.0.1"))
    const stopped = handler.stop()
    await handler.start()
    await stopped
    // The earlier stop() does not shut down the later start(): the handler runs and is bound.
    expect(handler.running).toBe(true)
    const server = await startServer({ mechanism: "NULL", domain: "stop-then-start" })
    try {
      expect(await attemptHandshake(server, { mechanism: "NULL" })).toBe("handshake:error:auth")
    } finally {
      server.close()
      await handler.stop()
    }
  })

  it("stop() during a start() that binds stops the started handler", async () => {
    const handler = new ZapHandler(new Authenticator())
    await Promise.all([handler.start(), handler.stop()])
    expect(handler.running).toBe(false)
    await using next = new ZapHandler(new Authenticator())
    await next.start()
  })

  it("frees the endpoint on stop() so another handler can start at once; stop() is idempotent", async () => {
    const engine = new Authenticator()
    for (let cycle = 0; cycle < 5; cycle++) {
      const handler = new ZapHandler(engine)
      await handler.start()
      expect(handler.running).toBe(true)
      await Promise.all([handler.stop(), handler.stop()])
      await handler.stop()
      expect(handler.running).toBe(false)
    }
  })

  it("answers every request in flight when stopped during traffic", async () => {
    const engine = new Authenticator()
    const clients = 16
    const { everyoneAsked, release } = holdCurveDecisions(engine, clients)
    const handler = new ZapHandler(engine)
    await handler.start()
    const server = await startServer({ mechanism: "CURVE", domain: "global" })
    const sockets = Array.from({ length: clients }, () =>
      createClient({ mechanism: "CURVE", ...curveKeyPair() }, server)
    )
    const outcomes = sockets.map((socket) => {
      const outcome = awaitHandshake(socket)
      socket.connect(server.endpoint)
      return outcome
    })
    await everyoneAsked
    const stopped = handler.stop()
    release()
    await stopped
    expect(await Promise.all(outcomes)).toEqual(Array<HandshakeOutcome>(clients).fill("handshake"))
    for (const socket of sockets) socket.close()
    server.close()
  })

  it("answers every request already queued when stopped, however many (not only `concurrency` more)", async () => {
    const engine = new Authenticator()
    const { everyoneAsked: bothAsked, release } = holdCurveDecisions(engine, 2)
    const handler = new ZapHandler(engine, { concurrency: 2 })
    await handler.start()
    const requests = 24
    const dealers = Array.from({ length: requests }, () => new Dealer({ linger: 0, receiveTimeout: 10_000 }))
    try {
      for (const [index, dealer] of dealers.entries()) {
        dealer.connect(ZAP_ENDPOINT)
        await dealer.send([
          Buffer.alloc(0),
          ...zapFrames({
            requestId: String(index),
            domain: "queued",
            mechanism: "CURVE",
            credentials: [Buffer.alloc(32, index)],
          }),
        ])
      }
      await bothAsked
      const stopped = handler.stop()
      release()
      // stop() answers every queued request, not only the next 2 x concurrency.
      const replies = await Promise.all(dealers.map(async (dealer) => (await dealer.receive()).map(String)))
      await stopped
      expect(replies.map((reply) => reply[3])).toEqual(Array<string>(requests).fill("200"))
      expect(replies.map((reply) => reply[2])).toEqual(dealers.map((_, index) => String(index)))
    } finally {
      for (const dealer of dealers) dealer.close()
    }
  })

  it("decides at most `concurrency` requests at once and replies out of order", async () => {
    const engine = new Authenticator()
    let active = 0
    let peak = 0
    const waiting: Array<() => void> = []
    let twoWaiting!: () => void
    const bothWaiting = new Promise<void>((resolve) => {
      twoWaiting = resolve
    })
    engine.configureCurveCallback("*", async () => {
      peak = Math.max(peak, ++active)
      await new Promise<void>((resolve) => {
        waiting.push(resolve)
        if (waiting.length === 2) twoWaiting()
      })
      active--
      return true
    })
    await using handler = new ZapHandler(engine, { concurrency: 2 })
    await handler.start()
    const key = Buffer.from(curveKeyPair().publicKey.slice(0, 32))
    const replies = ["a", "b", "c"].map((id) =>
      sendZapFrames(zapFrames({ requestId: id, mechanism: "CURVE", credentials: [key] }))
    )
    await bothWaiting
    const order: string[] = []
    for (const reply of replies) void reply.then((frames) => order.push(frames[1]!.toString()))
    waiting[1]!()
    await replies[1]
    waiting[0]!()
    await replies[0]
    while (waiting.length < 3) await new Promise<void>((resolve) => setImmediate(resolve))
    waiting[2]!()
    await replies[2]
    expect(peak).toBe(2)
    expect(order).toEqual(["b", "a", "c"])
  })

  it("answers 500 and emits authenticate:error when a custom engine throws", async () => {
    const broken = {
      authenticate: async (_request: ZapRequest) => {
        throw new Error("engine bug")
      },
    }
    await using handler = new ZapHandler(broken)
    const errors: string[] = []
    handler.on("authenticate:error", (error) => errors.push(error.message))
    await handler.start()
    const reply = await sendZapFrames(zapFrames({ requestId: "x", mechanism: "NULL" }))
    expect(reply.map(String).slice(1, 5)).toEqual(["x", "500", "Internal error", ""])
    expect(errors).toEqual(["engine bug"])
  })

  it("answers 500 when a custom engine allows with the wrong request id", async () => {
    const confused = {
      authenticate: async () => ({
        requestId: Buffer.from("other"),
        statusCode: 200 as const,
        statusText: "OK",
        userId: "x",
      }),
    }
    await using handler = new ZapHandler(confused)
    await handler.start()
    const reply = await sendZapFrames(zapFrames({ requestId: "mine", mechanism: "NULL" }))
    expect(reply.map(String).slice(1, 3)).toEqual(["mine", "500"])
  })

  it("serves the sockets of the context it is given", async () => {
    const context = new Context()
    await using handler = new ZapHandler(new Authenticator().configurePlain("*", { admin: "secret" }), { context })
    await handler.start()
    const dealer = new Dealer({ context, linger: 0, receiveTimeout: 5000 })
    dealer.connect("inproc://zeromq.zap.01")
    await dealer.send([
      Buffer.alloc(0),
      ...zapFrames({ requestId: "ctx", mechanism: "PLAIN", credentials: ["admin", "secret"] }),
    ])
    const [, ...answer] = await dealer.receive()
    expect(answer.map(String).slice(1, 5)).toEqual(["ctx", "200", "OK", "admin"])
    dealer.close()
  })
})

describe("requireZap", () => {
  it("throws AuthenticatorError on an empty domain", async () => {
    const server = await startServer({ mechanism: "NULL" })
    expect(() => requireZap(server.socket, "")).toThrow(AuthenticatorError)
    server.close()
  })

  it("makes a server fail closed when no handler is bound, where libzmq would accept", async () => {
    const open = await startServer({ mechanism: "NULL" })
    const hardened = await startServer({ mechanism: "NULL", domain: "global" })
    expect(await attemptHandshake(open, { mechanism: "NULL" })).toBe("handshake")
    expect(await attemptHandshake(hardened, { mechanism: "NULL" })).not.toBe("handshake")
    const curve = await startServer({ mechanism: "CURVE", domain: "global" })
    expect(await attemptHandshake(curve, { mechanism: "CURVE", ...curveKeyPair() })).not.toBe("handshake")
    for (const server of [open, hardened, curve]) server.close()
  })
})
