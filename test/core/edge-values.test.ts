import { describe, expect, it } from "vitest"
import { Authenticator, normalizeCurveKey, parseZapRequest, z85, type ZapRequest } from "@zmq-auth/core"

function request(mechanism: string, credentials: Buffer[], domain = "global"): ZapRequest {
  return {
    version: "1.0",
    requestId: Buffer.from("edge"),
    domain,
    address: "192.0.2.9",
    identity: Buffer.alloc(0),
    mechanism,
    credentials,
  }
}

describe("Z85 groups whose value is zero", () => {
  it("decode to zero bytes", () => {
    expect(z85.decode("00000")).toEqual(Buffer.alloc(4))
    expect(z85.decode("0".repeat(40))).toEqual(Buffer.alloc(32))
  })

  it("make a valid CURVE key, which configureCurveKeys indexes and the engine allows", async () => {
    const zeros = "0".repeat(40)
    expect(normalizeCurveKey(zeros)).toBe(zeros)
    const engine = new Authenticator().configureCurveKeys("*", [zeros])
    expect(await engine.authenticate(request("CURVE", [Buffer.alloc(32)]))).toMatchObject({
      statusCode: 200,
      userId: zeros,
    })
    expect(await engine.authenticate(request("CURVE", [Buffer.alloc(32, 1)]))).toMatchObject({ statusCode: 400 })
  })

  it("do not hide the position of a bad character after them", () => {
    expect(() => z85.decode("000000000~")).toThrow(/invalid character at position 9/)
  })
})

describe("frame text cache", () => {
  it("tells apart two domains of different lengths whose hashes collide, one the start of the other", () => {
    // The cache hashes the length, then each byte (h = h * 31 + byte, 32 bits): these two collide.
    const short = Buffer.from("zone")
    const long = Buffer.concat([short, Buffer.from([0x92, 0x02, 0x00, 0x06, 0x1a, 0x1e])])
    const frames = (domain: Buffer): Buffer[] => [
      Buffer.from("1.0"),
      Buffer.from("1"),
      domain,
      Buffer.alloc(0),
      Buffer.alloc(0),
      Buffer.from("NULL"),
    ]
    expect(parseZapRequest(frames(short)).domain).toBe("zone")
    expect(parseZapRequest(frames(long)).domain).toBe(long.toString("utf8"))
    expect(parseZapRequest(frames(short)).domain).toBe("zone")
  })
})

describe("a check that answers synchronously", () => {
  it("does not count against maxPendingChecks: back-to-back requests are all decided", async () => {
    const curve = new Authenticator({ maxPendingChecks: 1 }).configureCurveCallback("*", () => true)
    const plain = new Authenticator({ maxPendingChecks: 1 }).configureStore("*", {
      checkPlain: () => ({ statusCode: 200 }),
    })
    const key = [Buffer.alloc(32, 3)]
    const password = [Buffer.from("admin"), Buffer.from("secret")]
    const replies = await Promise.all([
      curve.authenticate(request("CURVE", key)),
      curve.authenticate(request("CURVE", key)),
      plain.authenticate(request("PLAIN", password)),
      plain.authenticate(request("PLAIN", password)),
    ])
    expect(replies.map((reply) => `${reply.statusCode} ${reply.userId}`)).toEqual([
      `200 ${z85.encode(key[0]!)}`,
      `200 ${z85.encode(key[0]!)}`,
      "200 admin",
      "200 admin",
    ])
  })
})

describe("address list errors", () => {
  it("name a subnet with a zone on an IPv4 address or an empty zone", () => {
    for (const subnet of ["10.0.0.0%eth0/8", "fe80::%/64"]) {
      let message = ""
      try {
        new Authenticator().allow(subnet)
      } catch (error) {
        message = (error as Error).message
      }
      expect(message).toBe(`subnet "${subnet}" has an empty zone or a zone on an IPv4 address`)
    }
  })
})
