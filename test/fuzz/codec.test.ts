import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  decodeMetadata,
  encodeMetadata,
  encodeZapReply,
  parseZapRequest,
  z85,
  ZapProtocolError,
  type ZapReply,
  type ZapRequest,
} from "@zmq-auth/core"
import { EXAMPLE_REQUESTS, expectedReply, FUZZ_RUNS, policyEngine, zapRequestFrames } from "./zap-arbitraries.js"

// Property tests of the ZAP codec and the engine, without sockets: FUZZ_RUNS cases each.

const anyFrames = fc.array(
  fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes)),
  { maxLength: 12 }
)
const STATUS_TEXTS = new Set(["Not enough frames", "Invalid version", "Invalid credentials"])

/** Runs `parse`, returning the request or the ZapProtocolError; anything else thrown fails the property. */
function tryParse(frames: Buffer[]): ZapRequest | ZapProtocolError {
  try {
    return parseZapRequest(frames)
  } catch (error) {
    expect(error).toBeInstanceOf(ZapProtocolError)
    return error as ZapProtocolError
  }
}

describe(`ZAP codec fuzz (${FUZZ_RUNS} cases per property)`, () => {
  it("parseZapRequest accepts only RFC 27 requests and throws only ZapProtocolError", () => {
    fc.assert(
      fc.property(fc.oneof(anyFrames, zapRequestFrames), (frames) => {
        const result = tryParse(frames)
        if (result instanceof ZapProtocolError) {
          expect(result.code).toBe("ERR_ZAP_PROTOCOL")
          expect(STATUS_TEXTS.has(result.statusText)).toBe(true)
          // A request id is reported exactly when there is one to answer.
          expect(result.requestId === undefined).toBe(frames.length < 2)
          if (result.requestId !== undefined) expect(result.requestId.equals(frames[1]!)).toBe(true)
          return
        }
        expect(frames.length).toBeGreaterThanOrEqual(6)
        expect(result.version).toBe("1.0")
        expect(result.requestId.equals(frames[1]!)).toBe(true)
        expect(result.identity.equals(frames[4]!)).toBe(true)
        // Domains and addresses are decoded through a cache: always exactly the frame's UTF-8 text.
        expect(result.domain).toBe(frames[2]!.toString("utf8"))
        expect(result.address).toBe(frames[3]!.toString("utf8"))
        expect(result.mechanism).toBe(frames[5]!.toString("latin1"))
        expect(result.credentials).toHaveLength(frames.length - 6)
        const count = { NULL: 0, PLAIN: 2, CURVE: 1, GSSAPI: 1 }[result.mechanism]
        if (count !== undefined) expect(result.credentials).toHaveLength(count)
        if (result.mechanism === "CURVE") expect(result.credentials[0]).toHaveLength(32)
      }),
      { numRuns: FUZZ_RUNS }
    )
  })

  it("decodeMetadata throws only ZapProtocolError on arbitrary bytes and never pollutes prototypes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          const props = decodeMetadata(Buffer.from(bytes))
          for (const value of Object.values(props)) expect(Buffer.isBuffer(value)).toBe(true)
        } catch (error) {
          expect(error).toBeInstanceOf(ZapProtocolError)
        }
        expect(({} as Record<string, unknown>).polluted).toBeUndefined()
      }),
      { numRuns: FUZZ_RUNS }
    )
  })

  it("decodeMetadata(encodeMetadata(props)) gives the properties back, __proto__ and constructor included", () => {
    const name = fc.oneof(
      fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }),
      fc.constantFrom("User-Id", "Socket-Type", "__proto__", "constructor", "toString", "x".repeat(255))
    )
    const value = fc.oneof(
      fc.string({ unit: "grapheme", maxLength: 40 }),
      fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes))
    )
    fc.assert(
      fc.property(fc.dictionary(name, value, { maxKeys: 6, noNullPrototype: false }), (props) => {
        const decoded = decodeMetadata(encodeMetadata(props))
        expect(Object.keys(decoded).sort()).toEqual(Object.keys(props).sort())
        for (const [key, original] of Object.entries(props)) {
          expect(decoded[key]!.equals(typeof original === "string" ? Buffer.from(original, "utf8") : original)).toBe(
            true
          )
        }
      }),
      { numRuns: FUZZ_RUNS }
    )
  })

  it("encodeMetadata rejects empty and over-long names with ZapProtocolError", () => {
    expect(() => encodeMetadata({ "": "x" })).toThrow(ZapProtocolError)
    expect(() => encodeMetadata({ ["é".repeat(128)]: "x" })).toThrow(ZapProtocolError)
    expect(decodeMetadata(encodeMetadata({ ["x".repeat(255)]: "v" }))["x".repeat(255)]?.toString()).toBe("v")
  })

  it("encodeZapReply gives 6 frames and a user id only with 200", () => {
    const reply = fc.record({
      requestId: fc.uint8Array({ maxLength: 8 }).map((bytes) => Buffer.from(bytes)),
      statusCode: fc.constantFrom(200 as const, 300 as const, 400 as const, 500 as const),
      statusText: fc.string({ maxLength: 20 }),
      userId: fc.string({ maxLength: 20 }),
    })
    fc.assert(
      fc.property(reply, (value: ZapReply) => {
        const frames = encodeZapReply(value)
        expect(frames).toHaveLength(6)
        expect(frames[0]!.toString()).toBe("1.0")
        expect(frames[1]!.equals(value.requestId)).toBe(true)
        expect(frames[2]!.toString()).toBe(String(value.statusCode))
        expect(frames[4]!.toString()).toBe(value.statusCode === 200 ? value.userId : "")
      }),
      { numRuns: FUZZ_RUNS }
    )
    expect(() =>
      encodeZapReply({ requestId: Buffer.alloc(0), statusCode: 201 as never, statusText: "", userId: "x" })
    ).toThrow(ZapProtocolError)
  })

  it("z85 round-trips bytes and rejects everything else with RangeError only", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.string({ maxLength: 45 }), (bytes, text) => {
        const whole = Buffer.from(bytes.subarray(0, bytes.length - (bytes.length % 4)))
        expect(z85.decode(z85.encode(whole)).equals(whole)).toBe(true)
        try {
          const decoded = z85.decode(text)
          // Canonical: a text that decodes is the only encoding of its bytes.
          expect(z85.encode(decoded)).toBe(text)
        } catch (error) {
          expect(error).toBeInstanceOf(RangeError)
        }
      }),
      { numRuns: FUZZ_RUNS }
    )
  })

  it("the engine never rejects and never allows what the policy denies", async () => {
    const engine = policyEngine()
    const outcomes = new Map<string, number>()
    const tally = (key: string): void => void outcomes.set(key, (outcomes.get(key) ?? 0) + 1)
    await fc.assert(
      fc.asyncProperty(zapRequestFrames, async (frames) => {
        const expected = expectedReply(frames)
        const parsed = tryParse(frames)
        tally(
          expected.kind === "drop"
            ? "drop"
            : `${expected.statusCode} ${expected.statusText}${expected.statusCode === 200 ? ` ${expected.userId}` : ""}`
        )
        if (parsed instanceof ZapProtocolError) {
          if (expected.kind === "drop") expect(parsed.requestId).toBeUndefined()
          else
            expect({ statusCode: 400, statusText: parsed.statusText }).toEqual({
              statusCode: expected.statusCode,
              statusText: expected.statusText,
            })
          return
        }
        const reply = await engine.authenticate(parsed)
        expect(expected.kind).toBe("reply")
        if (expected.kind !== "reply") return
        expect({ statusCode: reply.statusCode, statusText: reply.statusText, userId: reply.userId }).toEqual({
          statusCode: expected.statusCode,
          statusText: expected.statusText,
          userId: expected.userId,
        })
      }),
      { numRuns: FUZZ_RUNS, examples: EXAMPLE_REQUESTS.map((frames) => [frames]) }
    )
    // The generator reaches every branch of the decision order, allows included.
    const reached = [...outcomes.keys()].map((key) => key.replace(/^200 OK .*$/, (allowed) => allowed.slice(0, 16)))
    for (const branch of [
      "drop",
      "400 Not enough frames",
      "400 Invalid version",
      "400 Invalid credentials",
      "400 Address denied",
      "200 OK anonymous",
      "200 OK admin",
      "400 Invalid username",
      "400 Invalid password",
      "400 Unknown key",
      "400 Unknown domain",
      "400 Unknown mechanism",
    ]) {
      expect(
        reached.some((key) => key.startsWith(branch)),
        `no generated case reached "${branch}"`
      ).toBe(true)
    }
    expect(
      [...outcomes.keys()].filter(
        (key) => key.startsWith("200 OK ") && !key.endsWith(" anonymous") && !key.endsWith(" admin")
      )
    ).toHaveLength(1)
  })
})
