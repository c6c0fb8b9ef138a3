import { describe, expect, it } from "vitest"
import { Context } from "zeromq"
import { ZapEndpoint } from "@zmq-auth/core/internal"
import { allowAs, answerOnce, RecordingListener, ZapClient } from "../helpers/endpoint-listener.js"
import { afterNextUnbind } from "../helpers/router-hooks.js"

const ENDPOINT = "inproc://endpoint-stragglers"

describe("ZapEndpoint release: requests written after the unbind", () => {
  it("answers a request that a peer connected before the unbind writes after it", async () => {
    const context = new Context()
    const listener = new RecordingListener(() => allowAs("answered"))
    const served = ZapEndpoint.open(listener, { context, endpoint: ENDPOINT })
    await served.ready
    const client = new ZapClient(context, ENDPOINT)
    client.dealer.receiveTimeout = 5_000
    try {
      await client.request("before")
      expect(await client.reply()).toEqual(["before", "200", "OK", "answered"])
      afterNextUnbind(() => setImmediate(() => void client.request("after")))
      await served.release()
      // Closing the socket as soon as nothing was queued dropped this request, and with it the
      // handshake, which libzmq then leaves waiting for its handshake interval.
      expect(await client.reply()).toEqual(["after", "200", "OK", "answered"])
    } finally {
      client.close()
    }
  })

  it("frees the address for a new endpoint while it answers those requests", async () => {
    const context = new Context()
    const first = ZapEndpoint.open(new RecordingListener(() => allowAs("first")), { context, endpoint: ENDPOINT })
    await first.ready
    let second: ZapEndpoint | undefined
    const secondReady = new Promise<void>((resolve, reject) =>
      afterNextUnbind(() =>
        setImmediate(() => {
          second = ZapEndpoint.open(new RecordingListener(() => allowAs("second")), { context, endpoint: ENDPOINT })
          second.ready.then(resolve, reject)
        })
      )
    )
    let firstReleased = false
    const releasing = first.release().then(() => (firstReleased = true))
    await secondReady
    expect(firstReleased).toBe(false)
    expect(await answerOnce(context, ENDPOINT, "new")).toEqual(["new", "200", "OK", "second"])
    await releasing
    await second!.release()
  })
})
