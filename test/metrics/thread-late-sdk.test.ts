import { afterEach, expect, it } from "vitest"
import { Dealer } from "zeromq"
import { ThreadAuthenticator } from "@zmq-auth/thread"
import { ZAP_ENDPOINT } from "@zmq-auth/core"
import { guard } from "../helpers/pyzmq-scenarios.js"
import { TestMetricsSdk } from "../helpers/metrics-sdk.js"
import { zapFrames } from "../helpers/sockets.js"

let engine: ThreadAuthenticator | undefined
let dealer: Dealer | undefined
let sdk: TestMetricsSdk | undefined

afterEach(async () => {
  dealer?.close()
  await engine?.stop()
  await sdk?.close()
  engine = dealer = sdk = undefined
})

const NULL_ALLOWED = { mechanism: "NULL", status_code: 200, domain: "late" }

// The worker measures only while the main thread has an SDK, and learns of one registered while
// it runs from the main thread's next check (every second): decisions count from then on.
it("counts the worker's decisions once a metrics SDK is registered after the thread adapter started", async () => {
  engine = new ThreadAuthenticator()
  await engine.start()
  const zap = new Dealer({ linger: 0, receiveTimeout: 10_000 })
  dealer = zap
  zap.connect(ZAP_ENDPOINT)
  let requests = 0
  const decide = async (): Promise<void> => {
    await zap.send([Buffer.alloc(0), ...zapFrames({ mechanism: "NULL", domain: "late", requestId: `${requests++}` })])
    const [, , , statusCode] = await zap.receive()
    expect(statusCode?.toString()).toBe("200")
  }
  await decide()
  const registered = new TestMetricsSdk()
  sdk = registered
  const before = requests
  // One request at a time, each awaited: the worker sends its measurements every second.
  await guard(
    (async () => {
      while ((await registered.sum("zmq_auth.decisions", NULL_ALLOWED)) === 0) await decide()
    })(),
    10_000,
    "no decision counted after the SDK was registered"
  )
  await engine.stop()
  const counted = await registered.sum("zmq_auth.decisions", NULL_ALLOWED)
  expect(counted).toBeGreaterThan(0)
  expect(counted).toBeLessThanOrEqual(requests - before)
})
