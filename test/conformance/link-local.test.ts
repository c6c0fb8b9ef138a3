import { networkInterfaces } from "node:os"
import { afterEach, describe, expect, it } from "vitest"
import { Dealer, Router } from "zeromq"
import { requireZap } from "@zmq-auth/core"
import type { ServedEngine } from "../helpers/adapter.js"
import { loopAdapter } from "../helpers/loop-adapter.js"
import { decisionAt, firstHandshake, guard } from "../helpers/pyzmq-scenarios.js"
import { ZapClient } from "../fuzz/zap-client.js"

// libzmq reports a link-local IPv6 peer with its zone: "fe80::fc:ff:fe00:1%eth0". Address lists
// must accept such entries and decide such peers like any other (not 500 "Internal error").

const PEER = "fe80::fc:ff:fe00:1%eth0"

function nullRequest(address: string): Buffer[] {
  return ["1.0", "ll", "link-local", address, "", "NULL"].map((frame) => Buffer.from(frame))
}

describe("address lists and link-local IPv6 peers (zone in the address)", () => {
  let served: ServedEngine | undefined
  const sockets: Array<Router | Dealer> = []

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.close()
    await served?.stop()
    served = undefined
  })

  async function decide(address: string): Promise<{ statusCode: string; statusText: string }> {
    const client = new ZapClient()
    try {
      const reply = await client.request(nullRequest(address))
      return { statusCode: reply.statusCode, statusText: reply.statusText }
    } finally {
      client.close()
    }
  }

  it('allow("fe80::/10") allows a link-local peer', async () => {
    served = await loopAdapter.serve()
    await served.engine.allow("fe80::/10")
    // The zone in the peer's address does not make canonicalAddress throw (that would be 500 "Internal error").
    expect(await decide(PEER)).toEqual({ statusCode: "200", statusText: "OK" })
  })

  it('deny("fe80::/10") denies a link-local peer with Address denied', async () => {
    served = await loopAdapter.serve()
    await served.engine.deny("fe80::/10")
    expect(await decide(PEER)).toEqual({ statusCode: "400", statusText: "Address denied" })
  })

  it("allow() and deny() accept an address with a zone, and it matches that peer", async () => {
    served = await loopAdapter.serve()
    // An address with a zone is accepted, not refused with a TypeError ("Invalid URL").
    await served.engine.allow(PEER)
    expect(await decide(PEER)).toEqual({ statusCode: "200", statusText: "OK" })
    expect(await decide("fe80::fc:ff:fe00:2%eth0")).toEqual({ statusCode: "400", statusText: "Address not allowed" })
  })

  it("deny() of an address without a zone denies that peer on every interface", async () => {
    served = await loopAdapter.serve()
    await served.engine.deny("fe80::fc:ff:fe00:1", "2001:db8::5")
    // An entry without a zone matches the peer's address with one.
    expect(await decide(PEER)).toEqual({ statusCode: "400", statusText: "Address denied" })
    expect(await decide("fe80::FC:ff:fe00:1%7")).toEqual({ statusCode: "400", statusText: "Address denied" })
    expect(await decide("2001:db8::5%1")).toEqual({ statusCode: "400", statusText: "Address denied" })
    expect(await decide("fe80::fc:ff:fe00:2%eth0")).toEqual({ statusCode: "200", statusText: "OK" })
  })

  it("an entry with a zone matches only that zone", async () => {
    served = await loopAdapter.serve()
    await served.engine.allow(PEER)
    expect(await decide("fe80::fc:ff:fe00:1%eth1")).toEqual({ statusCode: "400", statusText: "Address not allowed" })
    expect(await decide("fe80::fc:ff:fe00:1")).toEqual({ statusCode: "400", statusText: "Address not allowed" })
  })

  it("a real handshake over a link-local interface is decided by the allow list", async () => {
    // Uses the first link-local IPv6 address of this machine; without one, the ZAP-level cases above stand.
    const local = Object.entries(networkInterfaces())
      .flatMap(([name, addresses]) => (addresses ?? []).map((address) => ({ name, ...address })))
      .find((address) => address.family === "IPv6" && address.address.startsWith("fe80:"))
    served = await loopAdapter.serve()
    await served.engine.allow("fe80::/10", "127.0.0.1")
    const server = new Router({ linger: 0, ipv6: true })
    requireZap(server, "link-local")
    const client = new Dealer({ linger: 0, ipv6: true })
    sockets.push(server, client)
    const outcome = firstHandshake(server)
    await server.bind(local === undefined ? "tcp://127.0.0.1:*" : `tcp://[${local.address}%${local.name}]:*`)
    client.connect(server.lastEndpoint!)
    expect(await guard(outcome, 10_000, "no handshake outcome")).toBe("handshake")
    const decision = await decisionAt(served, 0)
    expect(decision.reply.statusCode).toBe(200)
    if (local !== undefined) expect(decision.request.address).toBe(`${local.address}%${local.name}`)
  })
})
