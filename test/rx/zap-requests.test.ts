import { describe, expect, it } from "vitest"
import { firstValueFrom, mergeMap, NEVER, tap, throwError, type Subscription } from "rxjs"
import { Authenticator, AuthenticatorError, ZapHandler, ZapProtocolError } from "@zmq-auth/core"
import { authenticate, zapEndpointReleased, zapRequests, type ZapDecision, type ZapExchange } from "@zmq-auth/rx"
import { attemptHandshake, sendZapFrames, startServer, zapFrames, type TestServer } from "../helpers/sockets.js"
import { createHeldEngine } from "./held-engine.js"
import { rxKit } from "./rx-kit.js"

const ADMIN = { mechanism: "PLAIN", username: "admin", password: "secret" } as const

describe("zapRequests", () => {
  const { keep, keepServer } = rxKit()

  async function plainServer(): Promise<TestServer> {
    const server = await startServer({ mechanism: "PLAIN", domain: "rx" })
    keepServer(server)
    return server
  }

  /** Subscribes and resolves each emitted exchange in turn. */
  function exchanges(options?: Parameters<typeof zapRequests>[0]): {
    next(): Promise<ZapExchange>
    subscription: Subscription
  } {
    const seen: ZapExchange[] = []
    const waiting: Array<(exchange: ZapExchange) => void> = []
    const subscription = keep(
      zapRequests(options).subscribe((exchange) => {
        const waiter = waiting.shift()
        if (waiter === undefined) seen.push(exchange)
        else waiter(exchange)
      })
    )
    return {
      subscription,
      next: () => {
        const exchange = seen.shift()
        return exchange === undefined ? new Promise((resolve) => waiting.push(resolve)) : Promise.resolve(exchange)
      },
    }
  }

  it("binds on subscribe, frees the endpoint after unsubscribe, and binds again (start/stop/start)", async () => {
    const engine = new Authenticator().configurePlain("*", { admin: "secret" })
    const server = await plainServer()
    for (let round = 0; round < 3; round++) {
      const subscription = zapRequests().pipe(authenticate(engine)).subscribe()
      expect(await attemptHandshake(server, ADMIN)).toBe("handshake")
      subscription.unsubscribe()
      await zapEndpointReleased()
      const handler = new ZapHandler(engine)
      await handler.start()
      await handler.stop()
    }
  })

  it("resubscribing right after unsubscribing binds as soon as the endpoint is released", async () => {
    const engine = new Authenticator().configurePlain("*", { admin: "secret" })
    const server = await plainServer()
    const serving = zapRequests().pipe(authenticate(engine))
    serving.subscribe().unsubscribe()
    let failure: unknown
    keep(
      serving.subscribe({
        error: (error: unknown) => {
          failure = error
        },
      })
    )
    await zapEndpointReleased()
    expect(failure).toBeUndefined()
    expect(await attemptHandshake(server, ADMIN)).toBe("handshake")
  })

  it("reports a held endpoint as a typed error notification that names share() as the way to fan out", async () => {
    keep(zapRequests().subscribe())
    const failed = firstValueFrom(zapRequests())
    await expect(failed).rejects.toBeInstanceOf(AuthenticatorError)
    await expect(failed).rejects.toMatchObject({
      code: "ERR_AUTHENTICATOR",
      message: expect.stringMatching(/already has a ZAP handler.*share\(\)/),
    })
    await expect(new ZapHandler(new Authenticator()).start()).rejects.toMatchObject({ code: "ERR_AUTHENTICATOR" })
  })

  it("reports an endpoint held by a ZapHandler as a typed error notification", async () => {
    const handler = new ZapHandler(new Authenticator())
    await handler.start()
    try {
      await expect(firstValueFrom(zapRequests())).rejects.toMatchObject({
        name: "AuthenticatorError",
        code: "ERR_AUTHENTICATOR",
      })
    } finally {
      await handler.stop()
    }
  })

  it("sends the first reply and throws AuthenticatorError on a second", async () => {
    const stream = exchanges()
    const answer = sendZapFrames(zapFrames({ mechanism: "NULL", requestId: "twice" }))
    const exchange = await stream.next()
    expect(exchange.answered).toBe(false)
    exchange.reply({ statusCode: 200, statusText: "OK", userId: "first" })
    expect(exchange.answered).toBe(true)
    expect(() => exchange.reply({ statusCode: 400, statusText: "Again", userId: "" })).toThrow(AuthenticatorError)
    const [, requestId, statusCode, , userId] = await answer
    expect([requestId?.toString(), statusCode?.toString(), userId?.toString()]).toEqual(["twice", "200", "first"])
  })

  it("rejects a malformed reply without sending it, so the exchange can still be answered", async () => {
    const stream = exchanges()
    const answer = sendZapFrames(zapFrames({ mechanism: "NULL" }))
    const exchange = await stream.next()
    expect(() => exchange.reply({ statusCode: 201 as 200, statusText: "Created", userId: "" })).toThrow(
      AuthenticatorError
    )
    expect(() => exchange.reply({ statusCode: 200, statusText: "OK" } as never)).toThrow(/userId/)
    expect(exchange.answered).toBe(false)
    exchange.reply({ statusCode: 400, statusText: "No", userId: "" })
    expect((await answer)[2]?.toString()).toBe("400")
  })

  it("answers malformed requests 400, reports them, and never emits them", async () => {
    const protocolErrors: ZapProtocolError[] = []
    const emitted: ZapExchange[] = []
    keep(
      zapRequests({ onProtocolError: (error) => protocolErrors.push(error) }).subscribe((exchange) =>
        emitted.push(exchange)
      )
    )
    const [, requestId, statusCode, statusText] = await sendZapFrames(
      zapFrames({ version: "2.0", mechanism: "NULL", requestId: "bad" })
    )
    expect([requestId?.toString(), statusCode?.toString(), statusText?.toString()]).toEqual([
      "bad",
      "400",
      "Invalid version",
    ])
    const [, , wrongCount, wrongCountText] = await sendZapFrames(
      zapFrames({ mechanism: "PLAIN", credentials: ["admin"] })
    )
    expect([wrongCount?.toString(), wrongCountText?.toString()]).toEqual(["400", "Invalid credentials"])
    expect(protocolErrors).toHaveLength(2)
    expect(protocolErrors[0]).toBeInstanceOf(ZapProtocolError)
    expect(emitted).toEqual([])
  })

  it("denies with 500 an exchange left unanswered by firstValueFrom's unsubscribe", async () => {
    const answer = sendZapFrames(zapFrames({ mechanism: "NULL", requestId: "taken" }))
    const exchange = await firstValueFrom(zapRequests())
    expect(exchange.answered).toBe(true)
    expect(() => exchange.reply({ statusCode: 200, statusText: "OK", userId: "late" })).toThrow(AuthenticatorError)
    const [, requestId, statusCode, statusText] = await answer
    expect([requestId?.toString(), statusCode?.toString(), statusText?.toString()]).toEqual([
      "taken",
      "500",
      "Internal error",
    ])
  })

  it("denies with 500 what a slow engine still holds when unsubscribed mid-traffic", async () => {
    const held = createHeldEngine()
    const decided: ZapDecision[] = []
    const subscription = zapRequests()
      .pipe(authenticate(held.engine))
      .subscribe((decision) => decided.push(decision))
    const server = await plainServer()
    const outcomes = Promise.all([1, 2, 3].map(() => attemptHandshake(server, ADMIN)))
    const raw = sendZapFrames(zapFrames({ mechanism: "NULL", requestId: "raw" }))
    await held.received(4)
    subscription.unsubscribe()
    expect(await outcomes).toEqual(["handshake:error:auth", "handshake:error:auth", "handshake:error:auth"])
    const [, requestId, statusCode, statusText] = await raw
    expect([requestId?.toString(), statusCode?.toString(), statusText?.toString()]).toEqual([
      "raw",
      "500",
      "Internal error",
    ])
    held.decideAll({ statusCode: 200, statusText: "OK", userId: "too late" })
    await zapEndpointReleased()
    expect(decided).toEqual([])
  })

  it("denies with 500 every unanswered exchange when the pipeline errors", async () => {
    const server = await plainServer()
    let firstSeen!: () => void
    const first = new Promise<void>((resolve) => {
      firstSeen = resolve
    })
    const failed = firstValueFrom(
      zapRequests().pipe(
        tap(() => firstSeen()),
        mergeMap((_exchange, index) => (index === 0 ? NEVER : throwError(() => new Error("subscriber failed"))))
      )
    )
    const handshake = attemptHandshake(server, ADMIN)
    await first
    const raw = sendZapFrames(zapFrames({ mechanism: "NULL", requestId: "second" }))
    await expect(failed).rejects.toThrow("subscriber failed")
    expect(await handshake).toBe("handshake:error:auth")
    const [, requestId, statusCode] = await raw
    expect([requestId?.toString(), statusCode?.toString()]).toEqual(["second", "500"])
  })

  it("emits at most `concurrency` unanswered exchanges", async () => {
    const unansweredAtEmission: number[] = []
    const open = new Set<ZapExchange>()
    keep(
      zapRequests({ concurrency: 1 }).subscribe((exchange) => {
        unansweredAtEmission.push([...open].filter((candidate) => !candidate.answered).length)
        open.add(exchange)
        setImmediate(() => exchange.reply({ statusCode: 200, statusText: "OK", userId: "" }))
      })
    )
    const replies = await Promise.all(
      [1, 2, 3, 4].map((index) => sendZapFrames(zapFrames({ mechanism: "NULL", requestId: String(index) })))
    )
    expect(replies.map((reply) => reply[2]?.toString())).toEqual(["200", "200", "200", "200"])
    expect(unansweredAtEmission).toEqual([0, 0, 0, 0])
  })

  it("validates its options", () => {
    expect(() => zapRequests({ concurrency: 0 })).toThrow(TypeError)
    expect(() => zapRequests({ endpoint: "" })).toThrow(TypeError)
    expect(() => zapRequests({ onProtocolError: "log" as never })).toThrow(/onProtocolError/)
  })
})
