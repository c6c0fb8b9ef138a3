import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { Dealer, Router, type Socket } from "zeromq"
import { AuthenticatorError, requireZap } from "@zmq-auth/core"
import { awaitHandshake } from "../helpers/sockets.js"

let ipcDirectory: string
beforeAll(async () => {
  ipcDirectory = await mkdtemp(join(tmpdir(), "zmq-auth-require-zap-"))
})
afterAll(() => rm(ipcDirectory, { recursive: true, force: true }))

const opened: Socket[] = []
afterEach(() => {
  for (const socket of opened.splice(0)) socket.close()
})

/** Registers `socket` to be closed after the test. */
function open<S extends Socket>(socket: S): S {
  opened.push(socket)
  return socket
}

const transports = {
  tcp: () => "tcp://127.0.0.1:*",
  ipc: () => `ipc://${join(ipcDirectory, `${Math.random().toString(36).slice(2)}.ipc`)}`,
  inproc: () => `inproc://require-zap-${Math.random().toString(36).slice(2)}`,
}

/** The ZAP options of a socket, as libzmq reports them. */
function zapOptions(socket: Socket): { zapDomain: string | null; zapEnforceDomain: boolean } {
  return { zapDomain: socket.zapDomain, zapEnforceDomain: socket.zapEnforceDomain }
}

describe("requireZap", () => {
  it("sets zapDomain and zapEnforceDomain on a socket that has no endpoint yet", () => {
    const server = open(new Router())
    requireZap(server, "global")
    expect(zapOptions(server)).toEqual({ zapDomain: "global", zapEnforceDomain: true })
  })

  it("makes a server reject a NULL client while no ZAP handler is bound", async () => {
    const server = open(new Router({ linger: 0 }))
    requireZap(server, "global")
    await server.bind("tcp://127.0.0.1:*")
    const client = open(new Dealer({ linger: 0, reconnectInterval: -1 }))
    const outcome = Promise.race([awaitHandshake(client), awaitHandshake(server)])
    client.connect(server.lastEndpoint!)
    expect(await outcome).not.toBe("handshake")
  })

  for (const [transport, endpoint] of Object.entries(transports)) {
    describe(`over ${transport}`, () => {
      it("throws AuthenticatorError after bind(), saying to call it before, and changes nothing", async () => {
        const server = open(new Router({ linger: 0 }))
        await server.bind(endpoint())
        const before = zapOptions(server)
        expect(() => requireZap(server, "global")).toThrow(AuthenticatorError)
        expect(() => requireZap(server, "global")).toThrow(/before bind\(\) and connect\(\)/)
        expect(zapOptions(server)).toEqual(before)
      })

      it("throws AuthenticatorError after connect()", async () => {
        const server = open(new Router({ linger: 0 }))
        const address = endpoint()
        await server.bind(address)
        const client = open(new Dealer({ linger: 0 }))
        const before = zapOptions(client)
        client.connect(transport === "tcp" ? server.lastEndpoint! : address)
        expect(() => requireZap(client, "global")).toThrow(AuthenticatorError)
        expect(zapOptions(client)).toEqual(before)
      })

      it("throws AuthenticatorError while a bind() is in progress and leaves the options as they were", async () => {
        const server = open(new Router({ linger: 0 }))
        const before = zapOptions(server)
        const warnings: Error[] = []
        const onWarning = (warning: Error) => warnings.push(warning)
        process.on("warning", onWarning)
        try {
          const binding = server.bind(endpoint())
          expect(() => requireZap(server, "global")).toThrow(AuthenticatorError)
          await binding
          await new Promise((resolve) => setImmediate(resolve))
        } finally {
          process.off("warning", onWarning)
        }
        expect(zapOptions(server)).toEqual(before)
        expect(warnings).toEqual([])
      })
    })
  }

  it("throws AuthenticatorError on a closed socket", () => {
    const server = new Router()
    server.close()
    expect(() => requireZap(server, "global")).toThrow(/closed/)
  })

  it("throws TypeError on something that is not a zeromq socket", () => {
    expect(() => requireZap({ zapDomain: "" } as unknown as Socket, "global")).toThrow(TypeError)
  })
})
