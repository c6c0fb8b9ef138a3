import { describe, expect, it } from "vitest"
import { Authenticator, AuthenticatorError } from "@zmq-auth/core"
import { decideNullFrom } from "../helpers/null-request.js"

// libzmq reports link-local IPv6 peers with their zone ("fe80::1%eth0"); no loopback peer has
// one, so these lists are checked with requests as the handler passes them to the engine.

const decide = decideNullFrom

describe("IPv6 zones in address lists", () => {
  it("a zoned subnet allows only addresses of that zone", async () => {
    const engine = new Authenticator().allow("fe80::%eth0/64")
    expect(await decide(engine, "fe80::1%eth0")).toBe("OK")
    expect(await decide(engine, "FE80:0::abcd%eth0")).toBe("OK")
    expect(await decide(engine, "fe80::1%lo")).toBe("Address not allowed")
    expect(await decide(engine, "fe80::1%eth1")).toBe("Address not allowed")
    expect(await decide(engine, "fe80::1")).toBe("Address not allowed")
    expect(await decide(engine, "fe81::1%eth0")).toBe("Address not allowed")
  })

  it("a zoned subnet denies only addresses of that zone", async () => {
    const engine = new Authenticator().deny("fe80::%eth0/10")
    expect(await decide(engine, "fe80::1%eth0")).toBe("Address denied")
    expect(await decide(engine, "fe80::1%lo")).toBe("OK")
  })

  it("a subnet without a zone matches addresses of every zone, beside zoned ones", async () => {
    const engine = new Authenticator().allow("fe80::%eth0/64", "fd00::/8")
    expect(await decide(engine, "fd00::1%lo")).toBe("OK")
    expect(await decide(engine, "fd00::1")).toBe("OK")
    expect(await decide(engine, "fe80::1%eth0")).toBe("OK")
  })

  it("refuses a subnet with an empty zone or a zone on IPv4", () => {
    for (const entry of ["fe80::%/64", "10.0.0.0%eth0/8"]) {
      expect(() => new Authenticator().allow(entry)).toThrow(AuthenticatorError)
    }
  })
})
