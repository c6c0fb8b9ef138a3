import { afterEach, describe, expect, it } from "vitest"
import { Dealer, Router } from "zeromq"
import { requireZap } from "@zmq-auth/core"
import type { ServedEngine } from "../helpers/adapter.js"
import { loopAdapter } from "../helpers/loop-adapter.js"
import { decisionAt, firstHandshake, guard, type HandshakeOutcome } from "../helpers/pyzmq-scenarios.js"

// A server socket with ipv6 enabled, bound to tcp://*:port, accepts IPv4 clients too, and libzmq
// then reports their address in its IPv4-mapped IPv6 form ("::ffff:127.0.0.1"). An address list
// written with the plain IPv4 address ("127.0.0.1", as users and pyzmq write it) must still apply.

describe("address lists on a dual-stack server (IPv4 client, ipv6 server socket)", () => {
  let served: ServedEngine | undefined
  const sockets: Array<Router | Dealer> = []

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.close()
    await served?.stop()
    served = undefined
  })

  /** A NULL handshake from 127.0.0.1 to a hardened dual-stack server: outcome and reported address. */
  async function attempt(engine: ServedEngine): Promise<[HandshakeOutcome, string, string]> {
    const server = new Router({ linger: 0, ipv6: true })
    requireZap(server, "dual")
    const outcome = firstHandshake(server)
    await server.bind("tcp://*:*")
    const port = server.lastEndpoint!.split(":").at(-1)
    const client = new Dealer({ linger: 0 })
    sockets.push(server, client)
    const mark = engine.decisions.length
    client.connect(`tcp://127.0.0.1:${port}`)
    const first = await guard(outcome, 10_000, "no handshake outcome")
    const decision = await decisionAt(engine, mark)
    return [first, decision.request.address, decision.reply.statusText]
  }

  it('deny("127.0.0.0/8") denies the IPv4-mapped peer (control: subnets match mapped addresses)', async () => {
    served = await loopAdapter.serve()
    await served.engine.deny("127.0.0.0/8")
    const [outcome, address, statusText] = await attempt(served)
    expect(address).toBe("::ffff:127.0.0.1")
    expect([outcome, statusText]).toEqual(["handshake:error:auth", "Address denied"])
  })

  it('deny("127.0.0.1") denies the same peer when libzmq reports it as ::ffff:127.0.0.1', async () => {
    served = await loopAdapter.serve()
    await served.engine.deny("127.0.0.1")
    const [outcome, address, statusText] = await attempt(served)
    expect(address).toBe("::ffff:127.0.0.1")
    // Denied: an IPv4-mapped address that escaped the deny list would be an accidental allow.
    expect([outcome, statusText]).toEqual(["handshake:error:auth", "Address denied"])
  })

  it('allow("127.0.0.1") allows the same peer when libzmq reports it as ::ffff:127.0.0.1', async () => {
    served = await loopAdapter.serve()
    await served.engine.allow("127.0.0.1")
    const [outcome, , statusText] = await attempt(served)
    // Allowed: the allow list means what it says for the IPv4-mapped form too.
    expect([outcome, statusText]).toEqual(["handshake", "OK"])
  })
})
