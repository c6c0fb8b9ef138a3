import { afterAll, afterEach, describe, expect, it } from "vitest"
import { Dealer, Router } from "zeromq"
import { AuthenticatorError, ZAP_ENDPOINT, ZapHandler, type ZapReply, type ZapRequest } from "@zmq-auth/core"
import { zapRequests, type ZapExchange } from "@zmq-auth/rx"
import { sendZapFrames, zapFrames } from "../helpers/sockets.js"
import { rxKit } from "./rx-kit.js"

describe("zapRequests notifies its subscriber", () => {
  const { keep } = rxKit()
  const warnings: string[] = []
  const onWarning = (warning: Error): void => {
    if (warning.message.startsWith("a zmq-auth")) warnings.push(warning.message)
  }
  process.on("warning", onWarning)
  afterEach(() => {
    warnings.length = 0
  })
  afterAll(() => {
    process.off("warning", onWarning)
  })

  it("turns a callback that throws into a process warning and keeps serving", async () => {
    const emitted: ZapExchange[] = []
    keep(
      zapRequests({
        onProtocolError: () => {
          throw new Error("callback down")
        },
      }).subscribe((exchange) => {
        emitted.push(exchange)
        exchange.reply({ statusCode: 200, statusText: "OK", userId: "next" })
      })
    )
    const malformed = await sendZapFrames(zapFrames({ version: "2.0", mechanism: "NULL", requestId: "bad" }))
    expect(malformed.slice(1, 4).map(String)).toEqual(["bad", "400", "Invalid version"])
    const next = await sendZapFrames(zapFrames({ mechanism: "NULL", requestId: "next" }))
    expect(next.slice(1, 5).map(String)).toEqual(["next", "200", "OK", "next"])
    expect(emitted).toHaveLength(1)
    expect(warnings).toEqual(["a zmq-auth rx callback threw: callback down"])
  })

  it("warns of nothing for a malformed request when no callback is given", async () => {
    keep(zapRequests().subscribe((exchange) => exchange.reply({ statusCode: 200, statusText: "OK", userId: "" })))
    const malformed = await sendZapFrames(zapFrames({ version: "2.0", mechanism: "NULL", requestId: "bad" }))
    expect(malformed.slice(2, 4).map(String)).toEqual(["400", "Invalid version"])
    await sendZapFrames(zapFrames({ mechanism: "NULL" }))
    expect(warnings).toEqual([])
  })

  it(
    "errors with AuthenticatorError when the endpoint it waited for was bound by someone else meanwhile",
    {
      timeout: 10_000,
    },
    async () => {
      // A ZapHandler deciding one request at a time holds "first" and "last" and answers the rest.
      const held = new Map<string, () => void>()
      const arrived = new Map<string, () => void>()
      const arrival = (requestId: string): Promise<void> =>
        new Promise((resolve) => {
          if (held.has(requestId)) resolve()
          else arrived.set(requestId, resolve)
        })
      const engine = {
        authenticate: (request: ZapRequest): Promise<ZapReply> => {
          const id = request.requestId.toString()
          const reply = { requestId: request.requestId, statusCode: 200, statusText: "OK", userId: id } as const
          if (id !== "first" && id !== "last") return Promise.resolve(reply)
          return new Promise((resolve) => {
            held.set(id, () => resolve(reply))
            arrived.get(id)?.()
          })
        },
      }
      const handler = new ZapHandler(engine, { concurrency: 1 })
      await handler.start()
      const client = new Dealer({ linger: 0 })
      let intruder: Router | undefined
      try {
        client.connect(ZAP_ENDPOINT)
        const request = (requestId: string): Promise<void> =>
          client.send([Buffer.alloc(0), ...zapFrames({ mechanism: "NULL", requestId })])
        await request("first")
        await arrival("first")
        // Queued behind "first": more than a stopping endpoint reads before it unbinds (64 per
        // unit of concurrency), so "last" is read only after the unbind, and held there.
        for (let index = 0; index < 96; index++) await request(`filler ${index}`)
        await request("last")
        const stopping = handler.stop()
        held.get("first")?.()
        await arrival("last")

        // The handler has unbound and still answers "last": a subscription made now waits for it.
        const failure = new Promise<unknown>((resolve) => {
          keep(zapRequests().subscribe({ error: resolve }))
        })
        intruder = new Router({ linger: 0 })
        intruder.bindSync(ZAP_ENDPOINT)
        held.get("last")?.()
        await stopping
        const error = await failure
        expect(error).toBeInstanceOf(AuthenticatorError)
        expect((error as AuthenticatorError).message).toMatch(/^inproc:\/\/zeromq\.zap\.01 already has a ZAP handler/)
        expect((error as AuthenticatorError).cause).toMatchObject({ code: "EADDRINUSE" })
      } finally {
        client.close()
        intruder?.close()
      }
    }
  )
})
