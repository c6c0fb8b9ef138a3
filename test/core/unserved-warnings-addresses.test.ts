import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { Context, Router } from "zeromq"
import { Authenticator, requireZap, ZapHandler } from "@zmq-auth/core"
import { NO_ZAP_HANDLER_WARNING, ZAP_HANDLER_STOPPED_WARNING } from "@zmq-auth/core/internal"

/** Codes of the coverage warnings emitted, in order. */
const warnings: string[] = []
const collect = (warning: Error & { code?: string }): void => {
  if (warning.code === NO_ZAP_HANDLER_WARNING || warning.code === ZAP_HANDLER_STOPPED_WARNING)
    warnings.push(warning.code)
}

/** Resolves once warnings emitted so far (delivered on process.nextTick) have been collected. */
const delivered = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

function hardenedServer(context: Context): Router {
  const server = new Router({ context, linger: 0 })
  requireZap(server, "warned")
  return server
}

describe("coverage warnings count only handlers of the ZAP endpoint, and every hardened socket", () => {
  beforeEach(() => {
    warnings.length = 0
    process.on("warning", collect)
  })
  afterEach(() => {
    process.off("warning", collect)
  })

  it("a handler of another address does not serve requireZap's sockets: they still warn", async () => {
    const context = new Context()
    const elsewhere = new ZapHandler(new Authenticator(), { context, endpoint: "inproc://not-the-zap-endpoint" })
    await elsewhere.start()
    const server = hardenedServer(context)
    await delivered()
    expect(warnings).toEqual([NO_ZAP_HANDLER_WARNING])
    server.close()
    await elsewhere.stop()
  })

  it("a handler of another address stopping does not end the coverage of the ZAP endpoint", async () => {
    const context = new Context()
    const handler = new ZapHandler(new Authenticator(), { context })
    await handler.start()
    const server = hardenedServer(context)
    const elsewhere = new ZapHandler(new Authenticator(), { context, endpoint: "inproc://not-the-zap-endpoint" })
    await elsewhere.start()
    await elsewhere.stop()
    await delivered()
    expect(warnings).toEqual([])
    await handler.stop()
    await delivered()
    expect(warnings).toEqual([ZAP_HANDLER_STOPPED_WARNING])
    server.close()
  })

  it("remembers every hardened socket of a context, not only the latest", async () => {
    const context = new Context()
    const handler = new ZapHandler(new Authenticator(), { context })
    await handler.start()
    const earlier = hardenedServer(context)
    const later = hardenedServer(context)
    later.close()
    await handler.stop()
    await delivered()
    expect(warnings).toEqual([ZAP_HANDLER_STOPPED_WARNING])
    earlier.close()
  })
})
