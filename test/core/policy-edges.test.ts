import { describe, expect, it } from "vitest"
import { Authenticator, CURVE_ALLOW_ANY, z85, type ZapRequest } from "@zmq-auth/core"

function request(mechanism: string, address: string, credentials: Buffer[] = []): ZapRequest {
  return {
    version: "1.0",
    requestId: Buffer.from("edge"),
    domain: "global",
    address,
    identity: Buffer.alloc(0),
    mechanism,
    credentials,
  }
}

async function statusOf(engine: Authenticator, address: string): Promise<string> {
  const reply = await engine.authenticate(request("NULL", address))
  return `${reply.statusCode} ${reply.statusText}`
}

describe("address lists at their edges", () => {
  it("an allow list denies what it does not list: other addresses, other zones, other families", async () => {
    const engine = new Authenticator().allow("192.0.2.1", "fe80::1%eth0", "10.0.0.0/8")
    expect(await statusOf(engine, "192.0.2.1")).toBe("200 OK")
    expect(await statusOf(engine, "10.1.2.3")).toBe("200 OK")
    expect(await statusOf(engine, "::ffff:10.1.2.3")).toBe("200 OK")
    for (const address of ["127.0.0.1", "fe80::1%eth1", "fe80::2%eth0", "11.0.0.1", "2001:db8::1", ""]) {
      expect(await statusOf(engine, address), address).toBe("400 Address not allowed")
    }
  })

  it("an IPv4 subnet also matches the IPv4-mapped IPv6 spelling, and an IPv6 subnet only IPv6", async () => {
    const mapped = new Authenticator().allow("::ffff:10.0.0.0/104")
    expect(await statusOf(mapped, "10.9.9.9")).toBe("200 OK")
    const ipv6 = new Authenticator().allow("2001:db8::/32")
    expect(await statusOf(ipv6, "2001:db8::7")).toBe("200 OK")
    expect(await statusOf(ipv6, "32.1.13.184")).toBe("400 Address not allowed")
  })

  it("accepts the longest prefixes and refuses longer ones, naming the subnet", () => {
    expect(() => new Authenticator().allow("10.0.0.1/32", "2001:db8::1/128")).not.toThrow()
    expect(() => new Authenticator().allow("10.0.0.0/33")).toThrow(
      /subnet 10\.0\.0\.0\/33 has a prefix longer than the address/
    )
    expect(() => new Authenticator().allow("2001:db8::/129")).toThrow(/subnet 2001:db8::\/129 has a prefix longer/)
    expect(() => new Authenticator().allow("10.0.0.0/64")).toThrow(/prefix longer/)
  })

  it("adds to the list on each call: earlier entries stay", async () => {
    const engine = new Authenticator().allow("192.0.2.1").allow("192.0.2.2")
    expect(await statusOf(engine, "192.0.2.1")).toBe("200 OK")
    expect(await statusOf(engine, "192.0.2.2")).toBe("200 OK")
    expect(await statusOf(engine, "192.0.2.3")).toBe("400 Address not allowed")
  })

  it("refuses entries that are not addresses, naming them, and changes nothing", async () => {
    const engine = new Authenticator().deny("192.0.2.1")
    expect(() => engine.deny("")).toThrow(/an address must be a non-empty string, got ""/)
    expect(() => engine.deny(7 as unknown as string)).toThrow(/an address must be a non-empty string, got 7/)
    expect(() => engine.deny("example.org")).toThrow(/"example\.org" is not an IP address or CIDR subnet/)
    expect(() => engine.deny("fe80::1%")).toThrow(/is not an IP address/)
    expect(() => engine.deny("example/8")).toThrow(/"example\/8" is not an IP address or CIDR subnet/)
    expect(await statusOf(engine, "127.0.0.1")).toBe("200 OK")
    expect(await statusOf(engine, "192.0.2.1")).toBe("400 Address denied")
  })

  it("deny() without addresses adds no deny list, and the message of allow/deny misuse names both calls", () => {
    const engine = new Authenticator().deny()
    expect(() => engine.allow("127.0.0.1")).not.toThrow()
    expect(() => engine.deny("10.0.0.1")).toThrow(
      /deny\(\) after allow\(\): use an allow list or a deny list, not both/
    )
  })
})

describe("Authenticator misuse is refused with a message naming it", () => {
  it("configureCurveKeys needs an iterable, configureCurveCallback a function, configureCurve a location", async () => {
    const engine = new Authenticator()
    expect(() => engine.configureCurveKeys("*", null as never)).toThrow(/configureCurveKeys needs an iterable of keys/)
    expect(() => engine.configureCurveKeys("*", 42 as never)).toThrow(/configureCurveKeys needs an iterable of keys/)
    expect(() => engine.configureCurveCallback("*", "yes" as never)).toThrow(/configureCurveCallback needs a function/)
    await expect(engine.configureCurve("*", "")).rejects.toThrow(
      /configureCurve needs a certificate directory or CURVE_ALLOW_ANY/
    )
    await expect(engine.configureCurve("*", 7 as never)).rejects.toThrow(/configureCurve needs a certificate directory/)
    await expect(engine.configureCurve("*", CURVE_ALLOW_ANY, { watch: "yes" } as never)).rejects.toThrow(
      /watch must be a boolean, got string/
    )
    expect(() => engine.configurePlain(7 as never, {})).toThrow(/a ZAP domain must be a string, got number/)
  })

  it("a closed Authenticator refuses to watch, and still takes CURVE_ALLOW_ANY", async () => {
    const engine = new Authenticator()
    engine.close()
    await expect(engine.configureCurve("*", CURVE_ALLOW_ANY, { watch: true })).rejects.toThrow(
      /cannot watch a certificate directory: the Authenticator is closed/
    )
    await expect(engine.configureCurve("*", CURVE_ALLOW_ANY)).resolves.toBe(engine)
  })

  it("PLAIN tables must be objects or Maps of strings", () => {
    const engine = new Authenticator()
    expect(() => engine.configurePlain("*", null as never)).toThrow(
      /passwords must be an object or a Map of username to password/
    )
    expect(() => engine.configurePlain("*", "admin" as never)).toThrow(/passwords must be an object or a Map/)
    expect(() => engine.configurePlain("*", new Map([[7, "x"]]) as never)).toThrow(
      /the password of user "7" must be a string/
    )
  })

  it("callbackTimeoutMs must be a positive finite number", () => {
    for (const value of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, "5"]) {
      expect(() => new Authenticator({ callbackTimeoutMs: value as number }), String(value)).toThrow(
        /callbackTimeoutMs must be a positive number of milliseconds/
      )
    }
  })

  it("a failing callback's error keeps what it threw as the cause", async () => {
    const thrown = new Error("database down")
    for (const callback of [
      () => {
        throw thrown
      },
      () => Promise.reject(thrown),
    ]) {
      const engine = new Authenticator()
      engine.configureCurveCallback("*", callback)
      const events: Array<Error | undefined> = []
      engine.on("decision", (event) => events.push(event.error))
      await engine.authenticate(request("CURVE", "127.0.0.1", [Buffer.alloc(32, 1)]))
      expect(events[0]?.cause).toBe(thrown)
    }
  })

  it("a decision event carries no error when the decision had none", async () => {
    const engine = new Authenticator()
    const events: object[] = []
    engine.on("decision", (event) => events.push(event))
    await engine.authenticate(request("NULL", "127.0.0.1"))
    expect(events).toHaveLength(1)
    expect("error" in events[0]!).toBe(false)
  })
})

describe("Z85 at its edges", () => {
  it("decodes the largest group and refuses one above it", () => {
    expect(z85.decode("%nSc0").toString("hex")).toBe("ffffffff")
    expect(() => z85.decode("%nSc1")).toThrow(/group at position 0 exceeds 32 bits/)
  })

  it("names the length it refuses", () => {
    expect(() => z85.decode("Hello1")).toThrow(/z85\.decode needs a multiple of 5 characters, got 6/)
    expect(() => z85.decode(42 as never)).toThrow(/needs a multiple of 5 characters, got number/)
    expect(() => z85.encode(Buffer.alloc(5))).toThrow(/z85\.encode needs a multiple of 4 bytes, got 5/)
  })

  it("refuses the character just past ASCII", () => {
    expect(() => z85.decode("Hell\u0080")).toThrow(/invalid character at position 4/)
  })

  it("encodes exactly the bytes given, no group more", () => {
    expect(z85.encode(Buffer.from("86 4f d2 6f b5 59 f7 5b".replaceAll(" ", ""), "hex"))).toBe("HelloWorld")
    expect(z85.encode(new Uint8Array(0))).toBe("")
  })
})
