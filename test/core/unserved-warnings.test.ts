import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { Context, context as globalContext, Router } from "zeromq"
import { Authenticator, requireZap, ZapHandler } from "@zmq-auth/core"
import { NO_ZAP_HANDLER_WARNING, ZAP_HANDLER_STOPPED_WARNING } from "@zmq-auth/core/internal"
import { ThreadAuthenticator } from "@zmq-auth/thread"
import { authenticate, zapEndpointReleased, zapRequests } from "@zmq-auth/rx"

/** Process warnings emitted with a code, as `code: message`. */
const warnings: string[] = []
const collect = (warning: Error & { code?: string }): void => {
  if (warning.code !== undefined) warnings.push(`${warning.code}: ${warning.message}`)
}

/** Resolves once warnings emitted so far (delivered on process.nextTick) have been collected. */
const delivered = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

function hardenedServer(context: Context): Router {
  const server = new Router({ context, linger: 0 })
  requireZap(server, "warned")
  return server
}

describe("warnings about hardened sockets no ZAP handler serves", () => {
  beforeEach(() => {
    warnings.length = 0
    process.on("warning", collect)
  })
  afterEach(() => {
    process.off("warning", collect)
  })

  it("requireZap in a context without a handler warns once, naming the cure", async () => {
    const context = new Context()
    const sockets = [hardenedServer(context), hardenedServer(context)]
    await delivered()
    expect(warnings).toEqual([expect.stringMatching(new RegExp(`^${NO_ZAP_HANDLER_WARNING}: .*Start a ZapHandler`))])
    for (const socket of sockets) socket.close()
  })

  it("both warnings give the whole cure", async () => {
    const context = new Context()
    const early = hardenedServer(context)
    const handler = new ZapHandler(new Authenticator(), { context })
    await handler.start()
    await handler.stop()
    await delivered()
    expect(warnings).toEqual([
      `${NO_ZAP_HANDLER_WARNING}: requireZap: no ZAP handler serves this socket's context, so the socket rejects ` +
        "every handshake until one does. Start a ZapHandler, ThreadAuthenticator or zapRequests() subscription " +
        "before clients connect, in the same context (the socket's `context` option, if it has one) and with the " +
        "same zeromq copy.",
      `${ZAP_HANDLER_STOPPED_WARNING}: the ZAP handler of a context stopped while sockets hardened with requireZap ` +
        "remain open: they reject every handshake until a handler serves again. Start a ZapHandler, " +
        "ThreadAuthenticator or zapRequests() subscription again, or close those sockets.",
    ])
    early.close()
  })

  it("requireZap in a served context does not warn; its handler stopping with the socket open does, once", async () => {
    const context = new Context()
    const handler = new ZapHandler(new Authenticator(), { context })
    await handler.start()
    const server = hardenedServer(context)
    await delivered()
    expect(warnings).toEqual([])
    await handler.stop()
    await handler.start()
    await handler.stop()
    await delivered()
    expect(warnings).toEqual([expect.stringMatching(new RegExp(`^${ZAP_HANDLER_STOPPED_WARNING}: .*requireZap`))])
    server.close()
  })

  it("stays silent when the hardened sockets close first, and across a handover between handlers", async () => {
    const context = new Context()
    const engine = new Authenticator()
    const first = new ZapHandler(engine, { context })
    await first.start()
    const server = hardenedServer(context)
    const second = new ZapHandler(engine, { context })
    await Promise.all([first.stop(), second.start()])
    server.close()
    await second.stop()
    await delivered()
    expect(warnings).toEqual([])
  })

  it("knows when a ThreadAuthenticator or a zapRequests subscription serves the global context", async () => {
    const thread = new ThreadAuthenticator()
    await thread.start()
    const server = hardenedServer(globalContext)
    await delivered()
    expect(warnings).toEqual([])
    await thread.stop()
    await delivered()
    expect(warnings).toEqual([expect.stringMatching(new RegExp(`^${ZAP_HANDLER_STOPPED_WARNING}`))])
    const subscription = zapRequests().pipe(authenticate(new Authenticator())).subscribe()
    const another = hardenedServer(globalContext)
    await delivered()
    expect(warnings).toHaveLength(1)
    subscription.unsubscribe()
    await zapEndpointReleased()
    server.close()
    another.close()
  })
})
