import { describe, expect, it } from "vitest"
import { Context } from "zeromq"
import { ZapEndpoint } from "@zmq-auth/core/internal"
import { allowAs, RecordingListener, ZapClient } from "../helpers/endpoint-listener.js"

const ENDPOINT = "inproc://endpoint-release-budget"
/** Requests a releasing endpoint reads per pass, per unit of `concurrency`: a sending peer cannot stall it. */
const BUDGET_PER_SLOT = 64

describe("ZapEndpoint release under a flood of queued requests", () => {
  it("reads at most 64 x concurrency queued requests before the unbind and as many after, answering each", async () => {
    const context = new Context()
    const concurrency = 2
    const listener: RecordingListener = new RecordingListener(() =>
      listener.exchanges.length <= concurrency ? undefined : allowAs("read while releasing")
    )
    const served = ZapEndpoint.open(listener, { context, endpoint: ENDPOINT, concurrency })
    await served.ready
    const client = new ZapClient(context, ENDPOINT)
    for (let index = 0; index < concurrency; index++) await client.request(`held ${index}`)
    await listener.until(() => listener.exchanges.length === concurrency)
    const queued = 5 * BUDGET_PER_SLOT * concurrency
    for (let index = 0; index < queued; index++) await client.request(`queued ${index}`)
    const releasing = served.release()
    for (const exchange of listener.held) exchange.reply(allowAs("held"))
    await releasing
    const read = concurrency + 2 * BUDGET_PER_SLOT * concurrency
    expect(listener.exchanges.length).toBe(read)
    expect(listener.held).toEqual([])
    const replies: string[][] = []
    for (let index = 0; index < read; index++) replies.push(await client.reply())
    expect(replies.map(([requestId]) => requestId)).toEqual(
      listener.exchanges.map((exchange) => exchange.request.requestId.toString())
    )
    client.close()
  })

  it("hands the listener at most `concurrency` unanswered exchanges at once while releasing", async () => {
    const context = new Context()
    const listener = new RecordingListener()
    const served = ZapEndpoint.open(listener, { context, endpoint: ENDPOINT, concurrency: 1 })
    await served.ready
    const client = new ZapClient(context, ENDPOINT)
    for (const requestId of ["first", "second", "third"]) await client.request(requestId)
    await listener.until(() => listener.exchanges.length === 1)
    const releasing = served.release()
    for (let answered = 1; answered <= 3; answered++) {
      // A receive() of a request already queued completes within one turn of the event loop.
      await new Promise((resolve) => setImmediate(resolve))
      expect(listener.exchanges).toHaveLength(answered)
      listener.exchanges[answered - 1]!.reply(allowAs("one at a time"))
      if (answered < 3) await listener.until(() => listener.exchanges.length === answered + 1)
    }
    await releasing
    const replies = [await client.reply(), await client.reply(), await client.reply()]
    expect(replies.map(([requestId]) => requestId)).toEqual(["first", "second", "third"])
    client.close()
  })
})
