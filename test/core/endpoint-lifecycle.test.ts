import { describe, expect, it } from "vitest"
import { Context } from "zeromq"
import { AuthenticatorError } from "@zmq-auth/core"
import { ZapEndpoint } from "@zmq-auth/core/internal"
import { allowAs, RecordingListener, ZapClient } from "../helpers/endpoint-listener.js"
import { thrownBy } from "../helpers/thrown-by.js"

const ENDPOINT = "inproc://endpoint-lifecycle"

/** An endpoint of a fresh context holding every exchange, serving, with one exchange held. */
async function holdingOne(): Promise<{
  context: Context
  served: ZapEndpoint
  listener: RecordingListener
  client: ZapClient
}> {
  const context = new Context()
  const listener = new RecordingListener()
  const served = ZapEndpoint.open(listener, { context, endpoint: ENDPOINT })
  await served.ready
  const client = new ZapClient(context, ENDPOINT)
  await client.request("held")
  await listener.until(() => listener.exchanges.length === 1)
  return { context, served, listener, client }
}

describe("ZapEndpoint lifecycle", () => {
  it("serves once bound, not while it waits for a handover, and not from the moment its release starts", async () => {
    const { context, served, listener, client } = await holdingOne()
    expect(served.serving).toBe(true)
    const releasing = served.release()
    expect(served.serving).toBe(false)
    expect(served.release()).toBe(releasing)
    const successor = ZapEndpoint.open(new RecordingListener(() => allowAs("successor")), {
      context,
      endpoint: ENDPOINT,
    })
    expect(successor.serving).toBe(false)
    listener.exchanges[0]!.reply(allowAs("first"))
    expect(await client.reply()).toEqual(["held", "200", "OK", "first"])
    await successor.ready
    expect(successor.serving).toBe(true)
    await releasing
    // The address stays the successor's: another endpoint is refused before any bind.
    const refused = thrownBy(() => ZapEndpoint.open(new RecordingListener(), { context, endpoint: ENDPOINT }))
    expect(refused.message).toBe(`${ENDPOINT} already has a ZAP handler in this context`)
    expect(Object.hasOwn(refused, "cause")).toBe(false)
    expect(served.serving).toBe(false)
    await client.request("next")
    expect(await client.reply()).toEqual(["next", "200", "OK", "successor"])
    await successor.release()
    expect(successor.serving).toBe(false)
    client.close()
  })

  it("rejects ready of an endpoint released before it served, and binds nothing for it", async () => {
    const { context, served, listener, client } = await holdingOne()
    const releasing = served.release()
    const successor = ZapEndpoint.open(new RecordingListener(() => allowAs("never")), { context, endpoint: ENDPOINT })
    await successor.release()
    const rejected = await successor.ready.then(
      () => undefined,
      (error: unknown) => error
    )
    expect(rejected).toBeInstanceOf(AuthenticatorError)
    expect((rejected as Error).message).toBe(`the ZAP endpoint ${ENDPOINT} was released before it served`)
    expect(successor.serving).toBe(false)
    listener.exchanges[0]!.reply(allowAs("first"))
    await releasing
    expect(await client.reply()).toEqual(["held", "200", "OK", "first"])
    const next = ZapEndpoint.open(new RecordingListener(() => allowAs("next")), { context, endpoint: ENDPOINT })
    await next.ready
    client.close()
    const later = new ZapClient(context, ENDPOINT)
    await later.request("after")
    expect(await later.reply()).toEqual(["after", "200", "OK", "next"])
    later.close()
    await next.release()
  })

  it("a successor waits for every release in progress, not only the latest", async () => {
    const { context, served, listener, client } = await holdingOne()
    const releasing = served.release()
    const early = ZapEndpoint.open(new RecordingListener(() => allowAs("early")), { context, endpoint: ENDPOINT })
    await early.release()
    const successor = ZapEndpoint.open(new RecordingListener(() => allowAs("successor")), {
      context,
      endpoint: ENDPOINT,
    })
    listener.exchanges[0]!.reply(allowAs("first"))
    await successor.ready
    await releasing
    expect(await client.reply()).toEqual(["held", "200", "OK", "first"])
    await client.request("next")
    expect(await client.reply()).toEqual(["next", "200", "OK", "successor"])
    await successor.release()
    client.close()
  })

  it("denyUnanswered answers every exchange still held 500 Internal error, and only those", async () => {
    const { served, listener, client } = await holdingOne()
    await client.request("answered")
    await client.request("also held")
    await listener.until(() => listener.exchanges.length === 3)
    listener.exchanges[1]!.reply(allowAs("ok"))
    served.denyUnanswered()
    expect(listener.held).toEqual([])
    const replies = [await client.reply(), await client.reply(), await client.reply()]
    expect(replies.sort()).toEqual([
      ["also held", "500", "Internal error", ""],
      ["answered", "200", "OK", "ok"],
      ["held", "500", "Internal error", ""],
    ])
    await served.release()
    client.close()
  })
})
