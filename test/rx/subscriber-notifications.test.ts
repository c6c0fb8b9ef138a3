import { afterAll, afterEach, describe, expect, it } from "vitest"
import { Router } from "zeromq"
import { AuthenticatorError, ZAP_ENDPOINT, ZapHandler } from "@zmq-auth/core"
import { zapEndpointReleased, zapRequests, type ZapExchange } from "@zmq-auth/rx"
import { beforeNextUnbind } from "../helpers/router-hooks.js"
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
    const predecessor = await startAllowing("predecessor")
    const intruder = new Router({ linger: 0 })
    let failure: Promise<unknown> | undefined
    beforeNextUnbind(
      // The predecessor found no successor and is about to unbind: the subscription waits for it.
      () => {
        failure = new Promise<unknown>((resolve) => keep(zapRequests().subscribe({ error: resolve })))
      },
      () => intruder.bindSync(ZAP_ENDPOINT)
    )
    // Unbound first: closing alone frees an inproc address only once libzmq's reaper gets to it.
    cleanups.push(async () => {
      await intruder.unbind(ZAP_ENDPOINT)
      intruder.close()
    })
    await predecessor.stop()
    const error = await failure
    expect(error).toBeInstanceOf(AuthenticatorError)
    expect((error as AuthenticatorError).message).toMatch(/^inproc:\/\/zeromq\.zap\.01 already has a ZAP handler/)
    expect((error as AuthenticatorError).cause).toMatchObject({ code: "EADDRINUSE" })
  })

  it("binds nothing for a subscription that ended while it waited for the endpoint", async () => {
    const predecessor = await startAllowing("predecessor")
    const notified: string[] = []
    beforeNextUnbind(() =>
      zapRequests()
        .subscribe({ error: () => notified.push("error"), complete: () => notified.push("complete") })
        .unsubscribe()
    )
    await predecessor.stop()
    await zapEndpointReleased()
    const handler = await startAllowing("free")
    try {
      const reply = await sendZapFrames(zapFrames({ mechanism: "NULL", requestId: "after" }))
      expect(reply.slice(1, 5).map(String)).toEqual(["after", "200", "OK", "free"])
    } finally {
      await handler.stop()
    }
    expect(notified).toEqual([])
  })
})

/** Starts a ZapHandler at the ZAP endpoint that allows every request as `userId`. */
async function startAllowing(userId: string): Promise<ZapHandler> {
  const handler = new ZapHandler({
    authenticate: (request) =>
      Promise.resolve({ requestId: request.requestId, statusCode: 200, statusText: "OK", userId }),
  })
  await handler.start()
  return handler
}
