import { describe, expect, it } from "vitest"
import { Context } from "zeromq"
import { ZapEndpoint } from "@zmq-auth/core/internal"
import { allowAs, RecordingListener, ZapClient } from "../helpers/endpoint-listener.js"

const ENDPOINT = "inproc://endpoint-release-budget"
/** Requests a releasing endpoint reads per pass, per unit of `concurrency`: a peer that keeps sending cannot hold it. */
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
})
