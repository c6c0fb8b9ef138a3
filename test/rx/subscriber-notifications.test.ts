import { afterAll, afterEach, describe, expect, it } from "vitest"
import { Dealer, Router } from "zeromq"
import { AuthenticatorError, ZAP_ENDPOINT, ZapHandler, type ZapReply, type ZapRequest } from "@zmq-auth/core"
import { zapEndpointReleased, zapRequests, type ZapExchange } from "@zmq-auth/rx"
import { sendZapFrames, zapFrames } from "../helpers/sockets.js"
import { rxKit } from "./rx-kit.js"

describe("zapRequests notifies its subscriber", () => {
  const { keep } = rxKit()
  const warnings: string[] = []
  const onWarning = (warning: Error): void => {
    if (warning.message.startsWith("a zmq-auth")) warnings.push(warning.message)
  }
  process.on("warning", onWarning)
  /** Closes what a test opened, even when it failed midway. */
  const cleanups: Array<() => unknown> = []
  afterEach(async () => {
    warnings.length = 0
    for (const cleanup of cleanups.splice(0)) await cleanup()
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

  it("errors with AuthenticatorError when the endpoint it waited for was bound by someone else meanwhile", async () => {
    const predecessor = await stopPastUnbind()
    cleanups.push(predecessor.close)
    const failure = new Promise<unknown>((resolve) => {
      keep(zapRequests().subscribe({ error: resolve }))
    })
    const intruder = new Router({ linger: 0 })
    intruder.bindSync(ZAP_ENDPOINT)
    // Unbound first: closing alone frees an inproc address only once libzmq's reaper gets to it.
    cleanups.push(async () => {
      await intruder.unbind(ZAP_ENDPOINT)
      intruder.close()
    })
    await predecessor.finish()
    const error = await failure
    expect(error).toBeInstanceOf(AuthenticatorError)
    expect((error as AuthenticatorError).message).toMatch(/^inproc:\/\/zeromq\.zap\.01 already has a ZAP handler/)
    expect((error as AuthenticatorError).cause).toMatchObject({ code: "EADDRINUSE" })
  })

  it("binds nothing for a subscription that ended while it waited for the endpoint", async () => {
    const predecessor = await stopPastUnbind()
    cleanups.push(predecessor.close)
    const notified: string[] = []
    zapRequests()
      .subscribe({ error: () => notified.push("error"), complete: () => notified.push("complete") })
      .unsubscribe()
    await predecessor.finish()
    await zapEndpointReleased()
    const handler = new ZapHandler({
      authenticate: (request) =>
        Promise.resolve({ requestId: request.requestId, statusCode: 200, statusText: "OK", userId: "free" }),
    })
    await handler.start()
    try {
      const reply = await sendZapFrames(zapFrames({ mechanism: "NULL", requestId: "after" }))
      expect(reply.slice(1, 5).map(String)).toEqual(["after", "200", "OK", "free"])
    } finally {
      await handler.stop()
    }
    expect(notified).toEqual([])
  })
})

/**
 * Starts a ZapHandler at the ZAP endpoint that decides one request at a time, and stops it so
 * that it has unbound the endpoint but still holds a request: resolves once it is there. A
 * subscription made then waits for that stop to end instead of taking the socket over.
 * `finish()` lets the handler answer and resolves once it has stopped.
 */
async function stopPastUnbind(): Promise<{ finish(): Promise<void>; close(): void }> {
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
  client.connect(ZAP_ENDPOINT)
  const request = (requestId: string): Promise<void> =>
    client.send([Buffer.alloc(0), ...zapFrames({ mechanism: "NULL", requestId })])
  await request("first")
  await arrival("first")
  // Queued behind "first": more than a stopping endpoint reads before it unbinds (64 per unit of
  // concurrency), so "last" is read only after the unbind, and held there.
  for (let index = 0; index < 96; index++) await request(`filler ${index}`)
  await request("last")
  const stopping = handler.stop()
  held.get("first")?.()
  await arrival("last")
  return {
    async finish() {
      held.get("last")?.()
      await stopping
    },
    close: () => client.close(),
  }
}
