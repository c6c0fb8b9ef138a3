import { describe, expect, it } from "vitest"
import { curveKeyPair } from "zeromq"
import { z85 } from "@zmq-auth/core"

describe("z85 (RFC 32)", () => {
  const vector = Buffer.from([0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b])

  it("encodes the RFC test vector as HelloWorld", () => {
    expect(z85.encode(vector)).toBe("HelloWorld")
  })
  it("decodes HelloWorld to the RFC test vector", () => {
    expect(z85.decode("HelloWorld")).toEqual(vector)
  })
  it("round-trips every byte value", () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, index) => index))
    expect(z85.decode(z85.encode(bytes))).toEqual(bytes)
  })
  it("decodes libzmq's CURVE keys to 32 bytes and back", () => {
    const { publicKey } = curveKeyPair()
    const decoded = z85.decode(publicKey)
    expect(decoded).toHaveLength(32)
    expect(z85.encode(decoded)).toBe(publicKey)
  })
  it("encodes the extremes of a 4-byte group", () => {
    expect(z85.encode(Buffer.alloc(4))).toBe("00000")
    expect(z85.encode(Buffer.alloc(4, 0xff))).toBe("%nSc0")
  })
  it("rejects a byte length that is not a multiple of 4", () => {
    expect(() => z85.encode(Buffer.alloc(5))).toThrow(RangeError)
  })
  it("rejects a text length that is not a multiple of 5", () => {
    expect(() => z85.decode("Hello1")).toThrow(RangeError)
  })
  it("rejects characters outside the alphabet, naming the position", () => {
    expect(() => z85.decode('Hell"World')).toThrow(/position 4/)
    expect(() => z85.decode("Hello Worl")).toThrow(RangeError)
    expect(() => z85.decode("Hell\u00e9World")).toThrow(RangeError)
  })
  it("rejects a group above 32 bits", () => {
    expect(() => z85.decode("%nSc1")).toThrow(/32 bits/)
  })
})
