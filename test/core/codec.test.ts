import { describe, expect, it } from "vitest"
import { decodeMetadata, encodeMetadata, encodeZapReply, parseZapRequest, ZapProtocolError } from "@zmq-auth/core"

const frames = (...values: Array<string | Buffer>): Buffer[] =>
  values.map((value) => (typeof value === "string" ? Buffer.from(value) : value))

describe("parseZapRequest", () => {
  it("parses the six fields and the credentials", () => {
    const request = parseZapRequest(frames("1.0", "7", "global", "127.0.0.1", "peer", "PLAIN", "admin", "secret"))
    expect(request).toMatchObject({ version: "1.0", domain: "global", address: "127.0.0.1", mechanism: "PLAIN" })
    expect(request.requestId.toString()).toBe("7")
    expect(request.identity.toString()).toBe("peer")
    expect(request.credentials.map(String)).toEqual(["admin", "secret"])
  })
  it("decodes each domain and address from its own bytes, even when a buffer is reused", () => {
    const domain = Buffer.from("alpha")
    const address = Buffer.from("10.0.0.1")
    expect(
      parseZapRequest([Buffer.from("1.0"), Buffer.from("1"), domain, address, Buffer.alloc(0), Buffer.from("NULL")])
    ).toMatchObject({ domain: "alpha", address: "10.0.0.1" })
    domain.write("omega")
    address.write("10.0.0.2")
    expect(
      parseZapRequest([Buffer.from("1.0"), Buffer.from("2"), domain, address, Buffer.alloc(0), Buffer.from("NULL")])
    ).toMatchObject({ domain: "omega", address: "10.0.0.2" })
    // Uint8Array frames (not Buffers) decode to their text and do not poison the cache.
    const bytes = (text: string): Uint8Array => new Uint8Array(Buffer.from(text))
    expect(
      parseZapRequest([
        bytes("1.0"),
        bytes("9"),
        bytes("plain-array"),
        bytes("10.0.0.5"),
        bytes(""),
        bytes("NULL"),
      ] as Buffer[])
    ).toMatchObject({ domain: "plain-array", address: "10.0.0.5", mechanism: "NULL" })
    expect(parseZapRequest(frames("1.0", "9", "plain-array", "10.0.0.5", "", "NULL")).address).toBe("10.0.0.5")
    // "Aa" and "BB" share a 31-based hash: a cached text is used only when the bytes match.
    expect(parseZapRequest(frames("1.0", "5", "Aa", "", "", "NULL")).domain).toBe("Aa")
    expect(parseZapRequest(frames("1.0", "6", "BB", "", "", "NULL")).domain).toBe("BB")
    // Bytes that are not UTF-8 decode as Buffer.toString does, every time.
    const invalid = Buffer.from([0x66, 0xff, 0xc3])
    for (let round = 0; round < 2; round++)
      expect(parseZapRequest(frames("1.0", "3", invalid, "", "", "NULL")).domain).toBe(invalid.toString("utf8"))
    // Many distinct short frames (more than the cache holds) each decode to their own text.
    for (let index = 0; index < 3000; index++)
      expect(
        parseZapRequest(frames("1.0", "4", `d${index}`, `10.0.${index >> 8}.${index & 255}`, "", "NULL")).address
      ).toBe(`10.0.${index >> 8}.${index & 255}`)
  })
  it("compares the version and the mechanism whole, and decodes an empty domain as empty", () => {
    expect(() => parseZapRequest(frames("1.00", "8", "", "", "", "NULL"))).toThrow(/is not "1.0"/)
    expect(parseZapRequest(frames("1.0", "8", "", "", "", "NULLX")).mechanism).toBe("NULLX")
    expect(parseZapRequest(frames("1.0", "8", "", "", "", "NUL")).mechanism).toBe("NUL")
    expect(parseZapRequest(frames("1.0", "8", "", "", "", "NULL"))).toMatchObject({ domain: "", address: "" })
  })
  it("accepts an unknown mechanism (the policy denies it)", () => {
    expect(parseZapRequest(frames("1.0", "7", "", "", "", "X-FANCY", "a", "b", "c")).mechanism).toBe("X-FANCY")
  })

  const cases: Array<[string, Buffer[], string, string | undefined]> = [
    ["no frames", [], "Not enough frames", undefined],
    ["one frame", frames("1.0"), "Not enough frames", undefined],
    ["five frames", frames("1.0", "id5", "", "", ""), "Not enough frames", "id5"],
    ["version 2.0", frames("2.0", "id", "", "", "", "NULL"), "Invalid version", "id"],
    ["NULL with a credential", frames("1.0", "id", "", "", "", "NULL", "x"), "Invalid credentials", "id"],
    ["PLAIN with one credential", frames("1.0", "id", "", "", "", "PLAIN", "admin"), "Invalid credentials", "id"],
    [
      "CURVE with two credentials",
      frames("1.0", "id", "", "", "", "CURVE", Buffer.alloc(32), Buffer.alloc(32)),
      "Invalid credentials",
      "id",
    ],
    [
      "CURVE with a 31-byte key",
      frames("1.0", "id", "", "", "", "CURVE", Buffer.alloc(31)),
      "Invalid credentials",
      "id",
    ],
    ["GSSAPI without a principal", frames("1.0", "id", "", "", "", "GSSAPI"), "Invalid credentials", "id"],
  ]
  for (const [name, input, statusText, requestId] of cases) {
    it(`throws ZapProtocolError (${statusText}) for ${name}`, () => {
      let caught: unknown
      try {
        parseZapRequest(input)
      } catch (error) {
        caught = error
      }
      expect(caught).toBeInstanceOf(ZapProtocolError)
      expect(caught).toMatchObject({ code: "ERR_ZAP_PROTOCOL", statusText })
      expect((caught as ZapProtocolError).requestId?.toString()).toBe(requestId)
    })
  }
  it("never puts PLAIN passwords into error messages", () => {
    expect(() => parseZapRequest(frames("2.0", "id", "", "", "", "PLAIN", "admin", "hunter2"))).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining("hunter2") })
    )
  })
})

describe("encodeZapReply", () => {
  it("encodes six frames", () => {
    const reply = encodeZapReply({ requestId: Buffer.from("9"), statusCode: 200, statusText: "OK", userId: "admin" })
    expect(reply.map(String)).toEqual(["1.0", "9", "200", "OK", "admin", ""])
  })
  it("never sends a user id with a denial", () => {
    const reply = encodeZapReply({
      requestId: Buffer.from("9"),
      statusCode: 400,
      statusText: "Unknown key",
      userId: "admin",
    })
    expect(reply[4]).toHaveLength(0)
  })
  it("encodes metadata as ZMTP properties", () => {
    const reply = encodeZapReply({
      requestId: Buffer.from("9"),
      statusCode: 200,
      statusText: "OK",
      userId: "u",
      metadata: { Role: "admin" },
    })
    expect(decodeMetadata(reply[5]!)).toEqual({ Role: Buffer.from("admin") })
  })
  it("encodes every user id to its own bytes, however many distinct ones were encoded before", () => {
    const userIds = Array.from({ length: 600 }, (_, index) => `user-${index}-é`)
    for (const round of [1, 2]) {
      for (const userId of userIds) {
        const reply = encodeZapReply({
          requestId: Buffer.from(String(round)),
          statusCode: 200,
          statusText: "OK",
          userId,
        })
        expect(reply[4]!.toString("utf8")).toBe(userId)
      }
    }
  })
  it("sends an empty user id frame for an allowed request with no user id", () => {
    const reply = encodeZapReply({ requestId: Buffer.from("9"), statusCode: 200, statusText: "OK", userId: "" })
    expect(reply[4]).toHaveLength(0)
  })
  it("rejects a status code outside 200/300/400/500", () => {
    expect(() =>
      encodeZapReply({ requestId: Buffer.from("9"), statusCode: 201 as 200, statusText: "OK", userId: "" })
    ).toThrow(ZapProtocolError)
  })
})

describe("ZMTP metadata", () => {
  it("round-trips names and string or binary values", () => {
    const encoded = encodeMetadata({ "User-Id": "alice", Blob: Buffer.from([0, 255, 1]), Empty: "" })
    expect(decodeMetadata(encoded)).toEqual({
      "User-Id": Buffer.from("alice"),
      Blob: Buffer.from([0, 255, 1]),
      Empty: Buffer.alloc(0),
    })
  })
  it("uses the RFC 23 layout: 1-byte name length, name, 4-byte value length, value", () => {
    expect(encodeMetadata({ ab: "xyz" })).toEqual(Buffer.from([2, 0x61, 0x62, 0, 0, 0, 3, 0x78, 0x79, 0x7a]))
  })
  it("decodes an empty blob to no properties", () => {
    expect(decodeMetadata(Buffer.alloc(0))).toEqual({})
  })
  it("rejects a truncated property", () => {
    const encoded = encodeMetadata({ name: "value" })
    for (let length = 1; length < encoded.length; length++) {
      expect(() => decodeMetadata(encoded.subarray(0, length))).toThrow(ZapProtocolError)
    }
  })
  it("rejects an empty name", () => {
    expect(() => decodeMetadata(Buffer.from([0, 0, 0, 0, 0]))).toThrow(/empty name/)
    expect(() => encodeMetadata({ "": "x" })).toThrow(ZapProtocolError)
  })
  it("rejects a name longer than 255 bytes", () => {
    expect(() => encodeMetadata({ ["n".repeat(256)]: "x" })).toThrow(/1 to 255/)
  })
})
