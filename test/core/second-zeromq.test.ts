import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Context, curveKeyPair, Router, type Socket } from "zeromq"
import { Authenticator, AuthenticatorError, requireZap, ZapHandler } from "@zmq-auth/core"
import { loadSecondZeromq, type SecondZeromq } from "../helpers/second-zeromq.js"
import { awaitHandshake } from "../helpers/sockets.js"

let second: SecondZeromq
// The warning comes once per process, from whichever test of this file (in any order) makes the
// first ZapHandler: every warning of the file is collected.
const warnings: Error[] = []
const onWarning = (warning: Error): number => warnings.push(warning)
beforeAll(async () => {
  process.on("warning", onWarning)
  second = await loadSecondZeromq()
})
afterAll(async () => {
  process.off("warning", onWarning)
  await second?.remove()
})

describe("a second copy of zeromq in the application", () => {
  it("loads as classes of its own", () => {
    expect(second.zeromq.Router).not.toBe(Router)
    expect(new second.zeromq.Router()).not.toBeInstanceOf(Router)
  })

  it("makes the first ZapHandler of the process warn once that another zeromq is loaded", async () => {
    new ZapHandler(new Authenticator())
    new ZapHandler(new Authenticator())
    await new Promise((resolve) => setImmediate(resolve))
    const aboutZeromq = warnings.filter(
      (warning) => (warning as Error & { code?: string }).code === "ZMQ_AUTH_SECOND_ZEROMQ"
    )
    expect(aboutZeromq).toHaveLength(1)
    expect(aboutZeromq[0]!.message).toContain(second.directory)
  })

  it("is not served by a handler of the packages' zeromq: an unknown CURVE client gets in", async () => {
    const engine = new Authenticator().configureCurveKeys("*", [])
    await using handler = new ZapHandler(engine)
    await handler.start()
    const serverKeys = second.zeromq.curveKeyPair()
    const server = new second.zeromq.Router({ linger: 0, curveServer: true, curveSecretKey: serverKeys.secretKey })
    const clientKeys = curveKeyPair()
    const client = new second.zeromq.Dealer({
      linger: 0,
      reconnectInterval: -1,
      curveServerKey: serverKeys.publicKey,
      curvePublicKey: clientKeys.publicKey,
      curveSecretKey: clientKeys.secretKey,
    })
    try {
      await server.bind("tcp://127.0.0.1:*")
      const outcome = awaitHandshake(client as unknown as Socket)
      client.connect(server.lastEndpoint!)
      expect(await outcome).toBe("handshake")
    } finally {
      client.close()
      server.close()
    }
  })

  it("requireZap throws AuthenticatorError on its sockets, naming the cure", () => {
    const socket = new second.zeromq.Router()
    try {
      expect(() => requireZap(socket as unknown as Socket, "global")).toThrow(AuthenticatorError)
      expect(() => requireZap(socket as unknown as Socket, "global")).toThrow(/another copy of zeromq.*npm ls zeromq/s)
      expect(socket.zapDomain).not.toBe("global")
    } finally {
      socket.close()
    }
  })

  it("ZapHandler throws AuthenticatorError on a context option from it", () => {
    const engine = new Authenticator()
    expect(() => new ZapHandler(engine, { context: second.zeromq.context as unknown as Context })).toThrow(
      AuthenticatorError
    )
    expect(() => new ZapHandler(engine, { context: new second.zeromq.Context() as unknown as Context })).toThrow(
      /another copy of zeromq/
    )
  })

  it("ZapHandler takes a context of the packages' zeromq, and names the option on anything else", async () => {
    const context = new Context()
    await using handler = new ZapHandler(new Authenticator(), { context })
    await handler.start()
    expect(handler.running).toBe(true)
    expect(() => new ZapHandler(new Authenticator(), { context: {} as Context })).toThrow(TypeError)
    expect(() => new ZapHandler(new Authenticator(), { context: {} as Context })).toThrow(/context/)
  })
})
