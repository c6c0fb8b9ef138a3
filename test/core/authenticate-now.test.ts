import { afterEach, describe, expect, it } from "vitest"
import { Authenticator, ZapHandler, type ZapReply, type ZapRequest } from "@zmq-auth/core"
import { AUTHENTICATE_NOW, decideNowOf } from "@zmq-auth/core/internal"
import { sendZapFrames, zapFrames } from "../helpers/sockets.js"
import { plainRequest, zapRequest } from "../helpers/zap-request.js"

const ENDPOINT = "inproc://authenticate-now"

describe("Authenticator[AUTHENTICATE_NOW]", () => {
  it("returns the reply itself when the policy decides in memory, the same as authenticate()", async () => {
    const engine = new Authenticator()
    engine.configurePlain("*", { alice: "secret" })
    for (const request of [zapRequest(), plainRequest("alice", "secret"), plainRequest("alice", "wrong")]) {
      const now = engine[AUTHENTICATE_NOW](request)
      expect(now).not.toBeInstanceOf(Promise)
      expect(now).toEqual(await engine.authenticate(request))
      // Only a verdict with metadata (a store's or callback's) gives the reply some.
      expect(now).not.toHaveProperty("metadata")
    }
  })

  it("returns a promise when a callback decides, and emits one decision either way", async () => {
    const engine = new Authenticator()
    engine.configureCurveCallback("*", async () => true)
    const decisions: number[] = []
    engine.on("decision", (event) => decisions.push(event.reply.statusCode))
    const request = zapRequest({ mechanism: "CURVE", credentials: [Buffer.alloc(32, 1)] })
    const now = engine[AUTHENTICATE_NOW](request)
    expect(now).toBeInstanceOf(Promise)
    expect((await now).statusCode).toBe(200)
    expect(engine[AUTHENTICATE_NOW](zapRequest({ mechanism: "NULL" }))).toMatchObject({ statusCode: 200 })
    expect(decisions).toEqual([200, 200])
  })

  it("answers a callback that throws synchronously with 500, never throwing itself", async () => {
    const engine = new Authenticator()
    engine.configureCurveCallback("*", () => {
      throw new Error("store down")
    })
    const reply = await engine[AUTHENTICATE_NOW](zapRequest({ mechanism: "CURVE", credentials: [Buffer.alloc(32, 1)] }))
    expect(reply).toMatchObject({ statusCode: 500, statusText: "Internal error" })
  })

  it("asks a subclass through its own authenticate(), which may call super", async () => {
    const seen: string[] = []
    class Audited extends Authenticator {
      override async authenticate(request: ZapRequest): Promise<ZapReply> {
        seen.push(request.mechanism)
        const reply = await super.authenticate(request)
        return request.address === "10.0.0.1" ? { ...reply, statusCode: 400, statusText: "Audited", userId: "" } : reply
      }
    }
    const engine = new Audited()
    expect((await engine[AUTHENTICATE_NOW](zapRequest({ address: "10.0.0.1" }))).statusText).toBe("Audited")
    expect((await decideNowOf(engine)(zapRequest())).statusCode).toBe(200)
    expect(seen).toEqual(["NULL", "NULL"])
  })
})

describe("ZapHandler deciding at once", () => {
  let handler: ZapHandler | undefined
  afterEach(async () => {
    await handler?.stop()
    handler = undefined
  })

  async function replyOf(engine: Pick<Authenticator, "authenticate">): Promise<string[]> {
    handler = new ZapHandler(engine, { endpoint: ENDPOINT })
    await handler.start()
    const frames = await sendZapFrames(zapFrames({ mechanism: "NULL", requestId: "r1" }), ENDPOINT)
    return frames.slice(1, 5).map(String)
  }

  it("takes the engine's AUTHENTICATE_NOW reply when it has one", async () => {
    const engine = {
      authenticate: () => Promise.reject(new Error("authenticate() should not be asked")),
      [AUTHENTICATE_NOW]: (request: ZapRequest): ZapReply => ({
        requestId: request.requestId,
        statusCode: 200,
        statusText: "Now",
        userId: "now",
      }),
    }
    expect(await replyOf(engine)).toEqual(["r1", "200", "Now", "now"])
  })

  it("serves a subclass that overrides authenticate() through the override", async () => {
    class Closed extends Authenticator {
      override authenticate(request: ZapRequest): Promise<ZapReply> {
        return Promise.resolve({ requestId: request.requestId, statusCode: 400, statusText: "Closed", userId: "" })
      }
    }
    expect(await replyOf(new Closed())).toEqual(["r1", "400", "Closed", ""])
  })

  it("serves an engine whose authenticate() returns a reply that is not a promise", async () => {
    const engine = {
      authenticate: (request: ZapRequest) =>
        ({
          requestId: request.requestId,
          statusCode: 200,
          statusText: "Sync",
          userId: "s",
        }) as unknown as Promise<ZapReply>,
    }
    expect(await replyOf(engine)).toEqual(["r1", "200", "Sync", "s"])
  })

  it("denies with 500 when AUTHENTICATE_NOW throws or its thenable throws from then(), saying why", async () => {
    const errors: string[] = []
    const failures = [
      (): ZapReply => {
        throw new Error("engine broke")
      },
      () => ({
        then() {
          throw new Error("bad thenable")
        },
      }),
    ]
    let failure = 0
    const engine = {
      authenticate: () => Promise.reject(new Error("unused")),
      [AUTHENTICATE_NOW]: () => failures[failure++]!(),
    }
    handler = new ZapHandler(engine as never, { endpoint: ENDPOINT })
    handler.on("authenticate:error", (error) => errors.push(error.message))
    await handler.start()
    for (const requestId of ["r1", "r2"]) {
      const frames = await sendZapFrames(zapFrames({ mechanism: "NULL", requestId }), ENDPOINT)
      expect(frames.slice(1, 5).map(String)).toEqual([requestId, "500", "Internal error", ""])
    }
    expect(errors).toEqual(["engine broke", "bad thenable"])
  })
})
