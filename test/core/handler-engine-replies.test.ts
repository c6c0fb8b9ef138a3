import { afterEach, describe, expect, it } from "vitest"
import { ZapHandler, type ZapReply, type ZapRequest } from "@zmq-auth/core"
import { sendZapFrames, zapFrames } from "../helpers/sockets.js"

const ENDPOINT = "inproc://handler-engine-replies"

describe("ZapHandler with an engine whose reply is wrong", () => {
  let handler: ZapHandler | undefined
  afterEach(async () => {
    await handler?.stop()
    handler = undefined
  })

  /** Serves `answer` and returns the reply frames of one NULL request and the error events. */
  async function serve(answer: (request: ZapRequest) => unknown): Promise<{ frames: string[]; errors: string[] }> {
    const errors: string[] = []
    handler = new ZapHandler({ authenticate: async (request) => answer(request) as ZapReply }, { endpoint: ENDPOINT })
    handler.on("authenticate:error", (error) => errors.push(error.message))
    await handler.start()
    const frames = await sendZapFrames(zapFrames({ mechanism: "NULL", requestId: "mine" }), ENDPOINT)
    return { frames: frames.slice(1, 5).map(String), errors }
  }

  it("denies with 500 an allow that names another request id, or none", async () => {
    for (const requestId of [Buffer.from("other"), undefined]) {
      const { frames, errors } = await serve(() => ({ requestId, statusCode: 200, statusText: "OK", userId: "x" }))
      expect(frames).toEqual(["mine", "500", "Internal error", ""])
      expect(errors).toEqual(["authenticate() allowed with a reply for another request id"])
      await handler?.stop()
    }
  })

  it("denies with 500 a reply that is not an object, saying so", async () => {
    const { frames, errors } = await serve(() => null)
    expect(frames).toEqual(["mine", "500", "Internal error", ""])
    expect(errors).toEqual(["a ZAP reply must be an object"])
  })

  it("sends a denial as given, whatever request id it names", async () => {
    const { frames, errors } = await serve(() => ({
      requestId: Buffer.from("other"),
      statusCode: 400,
      statusText: "No",
      userId: "",
    }))
    expect(frames).toEqual(["mine", "400", "No", ""])
    expect(errors).toEqual([])
  })
})

describe("ZapHandler misuse", () => {
  it("names the missing authenticate method, a bad endpoint and a second start", async () => {
    expect(() => new ZapHandler(undefined as never)).toThrow(
      new TypeError("authenticator must have an authenticate(request) method")
    )
    for (const endpoint of ["", 7])
      expect(
        () => new ZapHandler({ authenticate: () => Promise.reject(new Error("unused")) }, { endpoint } as never)
      ).toThrow(new TypeError("endpoint must be a non-empty string"))
    const handler = new ZapHandler({ authenticate: () => Promise.reject(new Error("unused")) }, { endpoint: ENDPOINT })
    await handler.start()
    try {
      await expect(handler.start()).rejects.toThrow(`ZAP handler for ${ENDPOINT} is already started`)
    } finally {
      await handler.stop()
    }
  })
})

describe("ZapHandler.stop()", () => {
  it("wakes its pending receive without taking the wake-up for a request", async () => {
    const handler = new ZapHandler({ authenticate: () => Promise.reject(new Error("unused")) }, { endpoint: ENDPOINT })
    const protocolErrors: Error[] = []
    handler.on("protocol:error", (error) => protocolErrors.push(error))
    for (let round = 0; round < 3; round++) {
      await handler.start()
      await handler.stop()
    }
    expect(protocolErrors).toEqual([])
  })
})
