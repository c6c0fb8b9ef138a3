import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Context, Dealer, Router } from "zeromq"
import { ZapHandler, type ZapReply, type ZapRequest } from "@zmq-auth/core"
import { ZapEndpoint } from "@zmq-auth/core/internal"
import { allowAs, RecordingListener, ZapClient } from "../helpers/endpoint-listener.js"
import { beforeNextUnbind, nextBoundRouter, nextConnectedDealer, receiveFailures } from "../helpers/router-hooks.js"
import { socketEvents, zapFrames } from "../helpers/sockets.js"

/** Resolves once warnings emitted so far (delivered on process.nextTick) have been collected. */
const delivered = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

let ipcDirectory: string
beforeAll(async () => {
  ipcDirectory = await mkdtemp(join(tmpdir(), "zmq-auth-socket-faults-"))
})
afterAll(() => rm(ipcDirectory, { recursive: true, force: true }))

/** A fresh ipc endpoint: a transport whose peers the ROUTER sees disconnect (inproc reports no events). */
const ipcEndpoint = (name: string): string => `ipc://${join(ipcDirectory, `${name}.ipc`)}`

/** The warning of a release that failed with `reason` and closed the socket instead. */
const releaseWarning = (endpoint: string, reason: string): string =>
  `zmq-auth closed the ZAP socket of ${endpoint} after failing to release it in order: ${reason}`

/** Resolves once `router` reports that a peer disconnected. */
async function peerDisconnected(router: Router): Promise<void> {
  for await (const event of socketEvents(router)) if (event.type === "disconnect") return
}

/** A DEALER of `context` connected to `address` that sends one NULL request `requestId`. */
async function requestFrom(context: Context, address: string, requestId: string): Promise<Dealer> {
  const dealer = new Dealer({ context, linger: 0, receiveTimeout: 10_000 })
  dealer.connect(address)
  await dealer.send([Buffer.alloc(0), ...zapFrames({ mechanism: "NULL", requestId })])
  return dealer
}

describe("ZapEndpoint on a socket that fails", () => {
  it("keeps serving when receive() fails while the socket stays open", async () => {
    const context = new Context()
    const endpoint = "inproc://socket-faults-receive"
    const bound = nextBoundRouter()
    const served = ZapEndpoint.open(new RecordingListener(() => allowAs("served")), { context, endpoint })
    await served.ready
    const router = await bound
    // Applies from the next receive(): each then fails with EAGAIN after 1 ms of nothing to read.
    router.receiveTimeout = 1
    const failures = receiveFailures(router, 3)
    const client = new ZapClient(context, endpoint)
    await client.request("before")
    expect(await client.reply()).toEqual(["before", "200", "OK", "served"])
    await failures
    await client.request("after")
    expect(await client.reply()).toEqual(["after", "200", "OK", "served"])
    client.close()
    await served.release()
    expect(router.closed).toBe(true)
  })

  it("reports a reply libzmq refuses as replyError, and keeps serving", async () => {
    const context = new Context()
    const listener = new RecordingListener((exchange) =>
      exchange.request.requestId.toString() === "gone" ? undefined : allowAs("served")
    )
    const bound = nextBoundRouter()
    const served = ZapEndpoint.open(listener, { context, endpoint: ipcEndpoint("endpoint-reply-error") })
    await served.ready
    const router = await bound
    // A ROUTER refuses a message to a peer it no longer knows only when mandatory.
    router.mandatory = true
    const live = await requestFrom(context, router.lastEndpoint!, "live")
    await live.receive()
    // libzmq forgets a peer shortly after reporting its disconnect: until then a reply to it is
    // taken (and dropped). Replies are written in order, so once the live client's reply is back,
    // the reply to the peer that left was tried: try again until libzmq refused one.
    for (let attempt = 0; listener.replyErrors.length === 0; attempt++) {
      expect(attempt).toBeLessThan(20)
      const gone = await requestFrom(context, router.lastEndpoint!, "gone")
      await listener.until(() => listener.held.length === 1)
      const disconnected = peerDisconnected(router)
      gone.close()
      await disconnected
      listener.held[0]!.reply(allowAs("too late"))
      await live.send([Buffer.alloc(0), ...zapFrames({ mechanism: "NULL", requestId: `live ${attempt}` })])
      const [, ...reply] = await live.receive()
      expect(reply.slice(1, 5).map(String)).toEqual([`live ${attempt}`, "200", "OK", "served"])
    }
    expect(listener.replyErrors).toEqual([expect.objectContaining({ code: "EHOSTUNREACH" })])
    live.close()
    await served.release()
  })

  it("closes its socket when the unbind fails, warns naming the address, and frees it", async () => {
    const warnings: Array<{ code: string | undefined; message: string }> = []
    const collect = (warning: Error & { code?: string }): void => {
      warnings.push({ code: warning.code, message: warning.message })
    }
    process.on("warning", collect)
    try {
      const context = new Context()
      const endpoint = "inproc://socket-faults-unbind"
      const bound = nextBoundRouter()
      const served = ZapEndpoint.open(new RecordingListener(() => allowAs("served")), { context, endpoint })
      await served.ready
      const router = await bound
      // Someone else unbinds the address first: the endpoint's own unbind then fails.
      beforeNextUnbind(() => router.unbind(endpoint))
      await served.release()
      expect(router.closed).toBe(true)
      await delivered()
      expect(warnings).toEqual([
        {
          code: "ZMQ_AUTH_RELEASE",
          message: releaseWarning(endpoint, "No such endpoint"),
        },
      ])
      const again = ZapEndpoint.open(new RecordingListener(() => allowAs("again")), { context, endpoint })
      await again.ready
      const client = new ZapClient(context, endpoint)
      await client.request("again")
      expect(await client.reply()).toEqual(["again", "200", "OK", "again"])
      client.close()
      await again.release()
    } finally {
      process.off("warning", collect)
    }
  })
  it("denies what it holds 500 and closes its socket when it cannot wake its own receive", async () => {
    const warnings: string[] = []
    const collect = (warning: Error & { code?: string }): void => {
      if (warning.code === "ZMQ_AUTH_RELEASE") warnings.push(warning.message)
    }
    process.on("warning", collect)
    try {
      const context = new Context()
      const endpoint = "inproc://socket-faults-wake"
      const listener = new RecordingListener()
      const bound = nextBoundRouter()
      const waker = nextConnectedDealer("zmq-auth-wake-")
      const served = ZapEndpoint.open(listener, { context, endpoint })
      await served.ready
      const router = await bound
      const client = new ZapClient(context, endpoint)
      await client.request("held")
      await listener.until(() => listener.exchanges.length === 1)
      ;(await waker).close()
      await served.release()
      expect(await client.reply()).toEqual(["held", "500", "Internal error", ""])
      expect(router.closed).toBe(true)
      await delivered()
      expect(warnings).toEqual([releaseWarning(endpoint, "Socket is closed")])
      client.close()
    } finally {
      process.off("warning", collect)
    }
  })
})

describe("ZapHandler on a socket that fails", () => {
  it("emits reply:error for a reply libzmq refuses", async () => {
    const context = new Context()
    const held: Array<() => void> = []
    let heldOne: (() => void) | undefined
    const handler = new ZapHandler(
      {
        async authenticate(request: ZapRequest): Promise<ZapReply> {
          if (request.requestId.toString() === "gone") {
            await new Promise<void>((resolve) => {
              held.push(resolve)
              heldOne?.()
            })
          }
          return { requestId: request.requestId, statusCode: 200, statusText: "OK", userId: "served" }
        },
      },
      { context, endpoint: ipcEndpoint("handler-reply-error") }
    )
    const errors: Error[] = []
    handler.on("reply:error", (error) => errors.push(error))
    const bound = nextBoundRouter()
    await handler.start()
    const router = await bound
    router.mandatory = true
    const live = await requestFrom(context, router.lastEndpoint!, "live")
    await live.receive()
    // As above: retried until libzmq has forgotten the peer that left when the reply is sent.
    for (let attempt = 0; errors.length === 0; attempt++) {
      expect(attempt).toBeLessThan(20)
      const asked = new Promise<void>((resolve) => (heldOne = resolve))
      const gone = await requestFrom(context, router.lastEndpoint!, "gone")
      await asked
      const disconnected = peerDisconnected(router)
      gone.close()
      await disconnected
      held.shift()!()
      await live.send([Buffer.alloc(0), ...zapFrames({ mechanism: "NULL", requestId: `live ${attempt}` })])
      await live.receive()
    }
    expect(errors).toEqual([expect.objectContaining({ code: "EHOSTUNREACH" })])
    live.close()
    await handler.stop()
  })
})
