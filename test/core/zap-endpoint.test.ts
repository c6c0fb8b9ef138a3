import { describe, expect, it } from "vitest"
import { Context, Dealer, Router } from "zeromq"
import { Authenticator, requireZap, type ZapReply, type ZapRequest } from "@zmq-auth/core"
import { ZapEndpoint, type ZapEndpointOptions } from "@zmq-auth/core/internal"
import { awaitHandshake, sendZapFrames, zapFrames, type HandshakeOutcome } from "../helpers/sockets.js"

type Done = (error: Error | null, reply?: Omit<ZapReply, "requestId">) => void

/** A callback-style ZAP handler: the whole adapter, written against ZapEndpoint. */
class CallbackZapHandler {
  #endpoint: ZapEndpoint | undefined

  constructor(
    readonly decide: (request: ZapRequest, done: Done) => void,
    readonly options: ZapEndpointOptions = {}
  ) {}

  listen(callback: (error: Error | null) => void): void {
    try {
      this.#endpoint = ZapEndpoint.open(
        {
          exchange: (exchange) => {
            this.decide(exchange.request, (error, reply) => {
              if (exchange.answered) return
              exchange.reply(
                error !== null || reply === undefined
                  ? { statusCode: 500, statusText: "Internal error", userId: "" }
                  : reply
              )
            })
          },
          protocolError: () => undefined,
          replyError: () => undefined,
        },
        this.options
      )
      this.#endpoint.ready.then(() => callback(null), callback)
    } catch (error) {
      callback(error as Error)
    }
  }

  close(callback: () => void): void {
    const endpoint = this.#endpoint
    this.#endpoint = undefined
    void (endpoint?.release() ?? Promise.resolve()).then(callback)
  }
}

/** The outcome of one PLAIN handshake of `username`/`password` with `server`, in `context`. */
async function plainHandshake(
  context: Context,
  server: Router,
  username: string,
  password: string
): Promise<HandshakeOutcome> {
  const client = new Dealer({ context, linger: 0, reconnectInterval: -1 })
  client.plainUsername = username
  client.plainPassword = password
  try {
    const outcome = awaitHandshake(client)
    client.connect(server.lastEndpoint!)
    return await outcome
  } finally {
    client.close()
  }
}

describe("ZapEndpoint", () => {
  it("carries a callback-style adapter of a few lines: decides, reports bind failures, releases", async () => {
    const context = new Context()
    const engine = new Authenticator().configurePlain("*", { admin: "secret" })
    const decide = (request: ZapRequest, done: Done): void => {
      engine.authenticate(request).then((reply) => done(null, reply), done)
    }
    const handler = new CallbackZapHandler(decide, { context })
    await new Promise<void>((resolve, reject) =>
      handler.listen((error) => (error === null ? resolve() : reject(error)))
    )
    const busy = await new Promise<Error | null>((resolve) =>
      new CallbackZapHandler(decide, { context }).listen(resolve)
    )
    expect(busy).toMatchObject({
      code: "ERR_AUTHENTICATOR",
      message: expect.stringContaining("already has a ZAP handler"),
    })
    const server = new Router({ context, linger: 0 })
    server.plainServer = true
    requireZap(server, "callbacks")
    await server.bind("tcp://127.0.0.1:*")
    try {
      expect(await plainHandshake(context, server, "admin", "secret")).toBe("handshake")
      expect(await plainHandshake(context, server, "admin", "wrong")).toBe("handshake:error:auth")
    } finally {
      await new Promise<void>((resolve) => handler.close(resolve))
      server.close()
    }
    const again = new CallbackZapHandler(decide, { context })
    await new Promise<void>((resolve, reject) => again.listen((error) => (error === null ? resolve() : reject(error))))
    await new Promise<void>((resolve) => again.close(resolve))
  })

  it("denies with 500 a request whose listener threw, keeps an answer given before the throw, warns", async () => {
    const endpoint = "inproc://zap-endpoint-throwing-listener"
    const warnings: string[] = []
    const onWarning = (warning: Error): void => {
      warnings.push(warning.message)
    }
    process.on("warning", onWarning)
    const served = ZapEndpoint.open(
      {
        exchange: (exchange) => {
          const id = exchange.request.requestId.toString()
          if (id === "throws") throw new Error("listener down")
          exchange.reply({ statusCode: 200, statusText: "OK", userId: "fine" })
          if (id === "answers, then throws") throw new Error("listener down after answering")
        },
        protocolError: () => undefined,
        replyError: () => undefined,
      },
      { endpoint }
    )
    try {
      await served.ready
      const thrown = await sendZapFrames(zapFrames({ mechanism: "NULL", requestId: "throws" }), endpoint)
      const answered = await sendZapFrames(
        zapFrames({ mechanism: "NULL", requestId: "answers, then throws" }),
        endpoint
      )
      const next = await sendZapFrames(zapFrames({ mechanism: "NULL", requestId: "next" }), endpoint)
      expect([thrown, answered, next].map((reply) => reply.slice(1, 5).map(String))).toEqual([
        ["throws", "500", "Internal error", ""],
        ["answers, then throws", "200", "OK", "fine"],
        ["next", "200", "OK", "fine"],
      ])
      await new Promise((resolve) => setImmediate(resolve))
      expect(warnings).toContainEqual(expect.stringContaining("listener down"))
      expect(warnings).toContainEqual(expect.stringContaining("listener down after answering"))
    } finally {
      process.off("warning", onWarning)
      await served.release()
    }
  })
})
