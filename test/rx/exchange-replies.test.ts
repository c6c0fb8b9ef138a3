import { describe, expect, it } from "vitest"
import { firstValueFrom, take } from "rxjs"
import { Authenticator, AuthenticatorError, decodeMetadata, ZapHandler, ZapProtocolError } from "@zmq-auth/core"
import { zapRequests, type ZapExchange } from "@zmq-auth/rx"
import { sendZapFrames, zapFrames } from "../helpers/sockets.js"
import { rxKit } from "./rx-kit.js"
import { thrownBy } from "../helpers/thrown-by.js"

describe("a ZapExchange refuses a malformed reply, saying what is wrong", () => {
  const { keep } = rxKit()

  /** The next exchange of a fresh subscription, for a NULL request with `requestId`. */
  async function exchangeFor(requestId: string): Promise<{ exchange: ZapExchange; answer: Promise<Buffer[]> }> {
    let resolve!: (exchange: ZapExchange) => void
    const next = new Promise<ZapExchange>((done) => (resolve = done))
    keep(zapRequests().subscribe((exchange) => resolve(exchange)))
    const answer = sendZapFrames(zapFrames({ mechanism: "NULL", requestId }))
    return { exchange: await next, answer }
  }

  it("names the field and the value that is wrong, and the exchange can still be answered", async () => {
    const { exchange, answer } = await exchangeFor("6869")
    const cases: Array<[unknown, string]> = [
      [null, "a ZAP reply must be an object"],
      ["OK", "a ZAP reply must be an object"],
      [
        { statusCode: 201, statusText: "OK", userId: "" },
        "a ZAP reply's statusCode must be 200, 300, 400 or 500, got 201",
      ],
      [
        { statusCode: "200", statusText: "OK", userId: "" },
        "a ZAP reply's statusCode must be 200, 300, 400 or 500, got 200",
      ],
      [{ statusCode: 200, statusText: 7, userId: "" }, "a ZAP reply's statusText must be a string"],
      [{ statusCode: 200, statusText: "OK", userId: null }, "a ZAP reply's userId must be a string"],
      [
        { statusCode: 200, statusText: "OK", userId: "", metadata: { "": "x" } },
        "a ZAP reply cannot be encoded: metadata property name must be 1 to 255 bytes, got 0",
      ],
    ]
    for (const [reply, message] of cases) {
      const error = thrownBy(() => exchange.reply(reply as never))
      expect(error).toBeInstanceOf(AuthenticatorError)
      expect(error.message).toBe(message)
    }
    const unencodable = thrownBy(() =>
      exchange.reply({ statusCode: 200, statusText: "OK", userId: "", metadata: { "": "x" } })
    )
    expect(unencodable.cause).toBeInstanceOf(ZapProtocolError)
    expect(exchange.answered).toBe(false)
    exchange.reply({ statusCode: 200, statusText: "OK", userId: "u", metadata: { Role: "admin" } })
    const frames = await answer
    expect(frames.slice(1, 5).map(String)).toEqual(["6869", "200", "OK", "u"])
    expect(decodeMetadata(frames[5]!)).toEqual({ Role: Buffer.from("admin") })
    expect(thrownBy(() => exchange.reply({ statusCode: 400, statusText: "No", userId: "" })).message).toBe(
      "ZAP request 36383639 was already answered"
    )
  })

  it("validates its options with messages naming them", () => {
    expect(thrownBy(() => zapRequests({ endpoint: "" })).message).toBe("endpoint must be a non-empty string")
    expect(thrownBy(() => zapRequests({ concurrency: 1.5 })).message).toBe(
      "concurrency must be a positive integer, got 1.5"
    )
    expect(thrownBy(() => zapRequests({ onReplyError: 1 as never })).message).toBe("onReplyError must be a function")
    expect(thrownBy(() => zapRequests({ onProtocolError: 1 as never })).message).toBe(
      "onProtocolError must be a function"
    )
  })

  it("names the endpoint a ZapHandler already holds", async () => {
    const handler = new ZapHandler(new Authenticator(), { endpoint: "inproc://rx-held" })
    await handler.start()
    try {
      const error = (await firstValueFrom(zapRequests({ endpoint: "inproc://rx-held" })).catch(
        (thrown: unknown) => thrown
      )) as Error
      expect(error.message).toMatch(/^inproc:\/\/rx-held already has a ZAP handler in this context \(one subscription/)
    } finally {
      await handler.stop()
    }
  })
})

describe("an exchange whose delivery ends the subscription", () => {
  const { keep } = rxKit()

  it("is denied 500 by the teardown when the subscriber does not answer it at once (take(1))", async () => {
    let emitted: ZapExchange | undefined
    keep(
      zapRequests()
        .pipe(take(1))
        .subscribe((exchange) => (emitted = exchange))
    )
    const frames = await sendZapFrames(zapFrames({ mechanism: "NULL", requestId: "0102" }))
    expect(frames.slice(1, 4).map(String)).toEqual(["0102", "500", "Internal error"])
    expect(emitted?.answered).toBe(true)
  })
})

describe("a denial's user id", () => {
  const { keep } = rxKit()

  it("is not sent: only an allow names a user (RFC 27)", async () => {
    keep(zapRequests().subscribe((exchange) => exchange.reply({ statusCode: 400, statusText: "No", userId: "bob" })))
    const frames = await sendZapFrames(zapFrames({ mechanism: "NULL", requestId: "0103" }))
    expect(frames.slice(1, 5).map(String)).toEqual(["0103", "400", "No", ""])
  })
})
