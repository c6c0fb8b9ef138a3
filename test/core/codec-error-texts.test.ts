import { describe, expect, it } from "vitest"
import {
  AuthenticatorError,
  decodeMetadata,
  encodeMetadata,
  encodeZapReply,
  normalizeCurveKey,
  parseZapRequest,
  redactRequest,
  ZapProtocolError,
  type ZapRequest,
} from "@zmq-auth/core"
import { thrownBy } from "../helpers/thrown-by.js"

const frames = (...values: Array<string | Buffer>): Buffer[] =>
  values.map((value) => (typeof value === "string" ? Buffer.from(value) : value))

describe("parseZapRequest says what is wrong with a request", () => {
  it("counts the frames it got, and keeps the request id from two frames on", () => {
    const error = thrownBy(() => parseZapRequest(frames("1.0", "id2"))) as ZapProtocolError
    expect(error).toBeInstanceOf(ZapProtocolError)
    expect(error.message).toBe("ZAP request has 2 frames, at least 6 are needed")
    expect(error.requestId?.toString()).toBe("id2")
    expect(thrownBy(() => parseZapRequest(frames("1.0"))).message).toBe(
      "ZAP request has 1 frames, at least 6 are needed"
    )
  })

  it("quotes at most 16 characters of a wrong version", () => {
    const error = thrownBy(() => parseZapRequest(frames("2.0", "id", "", "", "", "NULL")))
    expect(error.message).toBe('ZAP version "2.0" is not "1.0"')
    const long = thrownBy(() => parseZapRequest(frames("1.0-and-a-lot-more-text", "id", "", "", "", "NULL")))
    expect(long.message).toBe('ZAP version "1.0-and-a-lot-mo" is not "1.0"')
    expect(long).toMatchObject({ statusText: "Invalid version" })
  })

  it("names the mechanism and the number of credential frames", () => {
    expect(thrownBy(() => parseZapRequest(frames("1.0", "id", "", "", "", "PLAIN", "admin"))).message).toBe(
      "PLAIN request has 1 credential frames of the wrong count or size"
    )
    expect(thrownBy(() => parseZapRequest(frames("1.0", "id", "", "", "", "CURVE", Buffer.alloc(33)))).message).toBe(
      "CURVE request has 1 credential frames of the wrong count or size"
    )
  })
})

describe("ZMTP metadata errors name the byte or the property", () => {
  it("an empty name: the byte where the property starts", () => {
    const good = encodeMetadata({ a: "b" })
    expect(thrownBy(() => decodeMetadata(Buffer.concat([good, Buffer.from([0, 0, 0, 0, 0])]))).message).toBe(
      `metadata property at byte ${good.length} has an empty name`
    )
  })

  it("a truncated name or length: the byte where the property starts", () => {
    const good = encodeMetadata({ a: "b" })
    const cut = encodeMetadata({ name: "value" }).subarray(0, 7)
    const error = thrownBy(() => decodeMetadata(Buffer.concat([good, cut])))
    expect(error).toBeInstanceOf(ZapProtocolError)
    expect(error.message).toBe(`metadata property at byte ${good.length} is truncated`)
  })

  it("a truncated value: the property's name", () => {
    const encoded = encodeMetadata({ Role: "admin" })
    expect(thrownBy(() => decodeMetadata(encoded.subarray(0, encoded.length - 1))).message).toBe(
      'metadata property "Role" is truncated'
    )
  })

  it("decodes a property that ends exactly at the end of the data", () => {
    expect(decodeMetadata(encodeMetadata({ a: "" }))).toEqual({ a: Buffer.alloc(0) })
    expect(decodeMetadata(encodeMetadata({ a: "", b: "x" }))).toEqual({ a: Buffer.alloc(0), b: Buffer.from("x") })
  })

  it("a name of the wrong size: its length in bytes", () => {
    expect(thrownBy(() => encodeMetadata({ "": "x" })).message).toBe(
      "metadata property name must be 1 to 255 bytes, got 0"
    )
    expect(thrownBy(() => encodeMetadata({ ["é".repeat(128)]: "x" })).message).toBe(
      "metadata property name must be 1 to 255 bytes, got 256"
    )
    expect(encodeMetadata({ ["n".repeat(255)]: "x" })[0]).toBe(255)
  })
})

describe("encodeZapReply refuses what it cannot send", () => {
  it("a status code that is not one of the four numbers, quoting it", () => {
    for (const [statusCode, shown] of [
      ["200", '"200"'],
      [201, "201"],
      [undefined, "undefined"],
    ] as const) {
      const error = thrownBy(() =>
        encodeZapReply({ requestId: Buffer.from("9"), statusCode: statusCode as 200, statusText: "OK", userId: "" })
      )
      expect(error).toBeInstanceOf(ZapProtocolError)
      expect(error.message).toBe(`ZAP status code must be the number 200, 300, 400 or 500, got ${shown}`)
    }
  })

  it("a request id that is not a Buffer", () => {
    for (const requestId of ["9", new Uint8Array([57]), undefined]) {
      const error = thrownBy(() =>
        encodeZapReply({ requestId: requestId as Buffer, statusCode: 200, statusText: "OK", userId: "" })
      )
      expect(error).toBeInstanceOf(ZapProtocolError)
      expect(error.message).toBe("ZAP reply needs the request id as a Buffer")
    }
  })

  it("sends each status code and text as given", () => {
    for (const statusCode of [200, 300, 400, 500] as const) {
      const reply = encodeZapReply({
        requestId: Buffer.from("1"),
        statusCode,
        statusText: `text ${statusCode}`,
        userId: "",
      })
      expect(reply.slice(2, 4).map(String)).toEqual([String(statusCode), `text ${statusCode}`])
    }
  })
})

describe("normalizeCurveKey describes a bad key without printing it", () => {
  it("names the type or the size of what it got", () => {
    const cases: Array<[unknown, string]> = [
      [null, "null"],
      [undefined, "undefined"],
      [7, "number"],
      [{}, "object"],
      [new Uint8Array(31), "31 bytes"],
      [Buffer.alloc(33), "33 bytes"],
      ["abc", "a string of 3 characters"],
      ["x".repeat(41), "a string of 41 characters"],
    ]
    for (const [key, described] of cases) {
      const error = thrownBy(() => normalizeCurveKey(key, "server key"))
      expect(error, described).toBeInstanceOf(AuthenticatorError)
      expect(error.message).toBe(`server key must be 40 Z85 characters or 32 bytes, got ${described}`)
    }
  })

  it("calls it a CURVE key unless told what it is", () => {
    expect(thrownBy(() => normalizeCurveKey(7)).message).toBe(
      "CURVE key must be 40 Z85 characters or 32 bytes, got number"
    )
    expect(thrownBy(() => normalizeCurveKey(" ".repeat(40))).message).toBe(
      "CURVE key has characters outside the Z85 alphabet"
    )
  })

  it("accepts 32 bytes as a Uint8Array or a Buffer", () => {
    expect(normalizeCurveKey(new Uint8Array(32))).toBe("0".repeat(40))
    expect(normalizeCurveKey(Buffer.alloc(32))).toBe("0".repeat(40))
  })
})

describe("redactRequest", () => {
  const plain = (credentials: Buffer[]): ZapRequest => ({
    version: "1.0",
    requestId: Buffer.from("1"),
    domain: "",
    address: "",
    identity: Buffer.alloc(0),
    mechanism: "PLAIN",
    credentials,
  })

  it("passes through what is not a request", () => {
    for (const value of [null, undefined, "PLAIN", 7]) expect(redactRequest(value as never)).toBe(value)
  })

  it("replaces only the password of a PLAIN request, and leaves a short or odd credential list alone", () => {
    const redacted = redactRequest(plain([Buffer.from("admin"), Buffer.from("hunter2")]))
    expect(redacted.credentials.map(String)).toEqual(["admin", "[redacted]"])
    const short = plain([Buffer.from("admin")])
    expect(redactRequest(short)).toBe(short)
    const odd = { ...plain([]), credentials: "hunter2" as never }
    expect(redactRequest(odd)).toBe(odd)
    const curve = { ...plain([Buffer.from("a"), Buffer.from("b")]), mechanism: "CURVE" }
    expect(redactRequest(curve)).toBe(curve)
  })
})
