import { afterEach, describe, expect, it } from "vitest"
import { Context } from "zeromq"
import { ZapEndpoint } from "@zmq-auth/core/internal"
import { allowAs, RecordingListener, ZapClient } from "../helpers/endpoint-listener.js"
import { TestMetricsSdk } from "../helpers/metrics-sdk.js"
import { zapFrames } from "../helpers/sockets.js"

const ENDPOINT = "inproc://endpoint-requests"

/** Resolves once warnings emitted so far (delivered on process.nextTick) have been collected. */
const delivered = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

let served: ZapEndpoint | undefined
let client: ZapClient | undefined
afterEach(async () => {
  client?.close()
  client = undefined
  await served?.release()
  served = undefined
})

/** Serves `listener` in a fresh context and connects a client to it. */
async function serve(listener: RecordingListener): Promise<ZapClient> {
  const context = new Context()
  served = ZapEndpoint.open(listener, { context, endpoint: ENDPOINT })
  await served.ready
  client = new ZapClient(context, ENDPOINT)
  return client
}

describe("ZapEndpoint requests", () => {
  it("answers a request sent without the empty delimiter", async () => {
    const listener = new RecordingListener(() => allowAs("bare"))
    const { dealer } = await serve(listener)
    await dealer.send(zapFrames({ mechanism: "NULL", requestId: "bare", domain: "d" }))
    const [delimiter, ...reply] = await dealer.receive()
    expect(delimiter).toHaveLength(0)
    expect(reply.slice(0, 5).map(String)).toEqual(["1.0", "bare", "200", "OK", "bare"])
    expect(listener.exchanges.map((exchange) => exchange.request.domain)).toEqual(["d"])
  })

  it("answers a malformed request 400 with its status text and an empty user id, drops one without an id", async () => {
    const listener = new RecordingListener(() => allowAs("fine"))
    const { dealer } = await serve(listener)
    await dealer.send([Buffer.alloc(0), Buffer.from("1.0")])
    await dealer.send([Buffer.alloc(0), ...zapFrames({ version: "2.0", mechanism: "NULL", requestId: "v2" })])
    await dealer.send([Buffer.alloc(0), ...zapFrames({ mechanism: "NULL", requestId: "fine" })])
    const [, ...rejected] = await dealer.receive()
    expect(rejected.map(String)).toEqual(["1.0", "v2", "400", "Invalid version", "", ""])
    const [, ...accepted] = await dealer.receive()
    expect(accepted.slice(1, 5).map(String)).toEqual(["fine", "200", "OK", "fine"])
    expect(listener.protocolErrors.map((error) => [error.statusText, error.requestId?.toString()])).toEqual([
      ["Not enough frames", undefined],
      ["Invalid version", "v2"],
    ])
  })

  it("reports a listener that throws as a warning naming the ZAP endpoint", async () => {
    const warnings: string[] = []
    const collect = (warning: Error): void => {
      warnings.push(warning.message)
    }
    process.on("warning", collect)
    try {
      const listener = new RecordingListener(() => {
        throw new Error("listener down")
      })
      const zap = await serve(listener)
      await zap.request("throws")
      expect(await zap.reply()).toEqual(["throws", "500", "Internal error", ""])
      await delivered()
      expect(warnings).toEqual(["a zmq-auth ZAP endpoint listener threw: listener down"])
    } finally {
      process.off("warning", collect)
    }
  })

  it("counts protocol errors by status text and the exchanges in flight", async () => {
    const sdk = new TestMetricsSdk()
    try {
      const listener = new RecordingListener()
      const zap = await serve(listener)
      await zap.dealer.send([Buffer.alloc(0), ...zapFrames({ version: "0.9", mechanism: "NULL" })])
      await zap.request("first")
      await zap.request("second")
      await listener.until(() => listener.exchanges.length === 2)
      expect(await zap.reply()).toEqual(["1", "400", "Invalid version", ""])
      expect(await sdk.sum("zmq_auth.protocol_errors", { status_text: "Invalid version" })).toBe(1)
      expect(await sdk.sum("zmq_auth.decisions.in_flight", {})).toBe(2)
      listener.exchanges[0]!.reply(allowAs("first"))
      expect(await sdk.sum("zmq_auth.decisions.in_flight", {})).toBe(1)
      listener.exchanges[1]!.reply(allowAs("second"))
      expect(await sdk.sum("zmq_auth.decisions.in_flight", {})).toBe(0)
      expect((await sdk.points("zmq_auth.protocol_errors")).map((point) => point.attributes)).toEqual([
        { status_text: "Invalid version" },
      ])
    } finally {
      await sdk.close()
    }
  })
})
