import { describe, expect, it } from "vitest"
import { Authenticator, z85, type DecisionEvent, type ZapReply, type ZapRequest } from "@zmq-auth/core"
import { newClientKeys } from "../helpers/sockets.js"

function curveRequest(): ZapRequest {
  return {
    version: "1.0",
    requestId: Buffer.from("1"),
    domain: "",
    address: "127.0.0.1",
    identity: Buffer.alloc(0),
    mechanism: "CURVE",
    credentials: [z85.decode(newClientKeys().publicKey)],
  }
}

/** The reply and decision event to a CURVE request whose key callback allows it with `metadata`. */
async function allowedWith(metadata: unknown): Promise<{ reply: ZapReply; event: DecisionEvent }> {
  const engine = new Authenticator().configureCurveCallback("*", () => ({ statusCode: 200, metadata }) as never)
  const events: DecisionEvent[] = []
  engine.on("decision", (event) => events.push(event))
  const reply = await engine.authenticate(curveRequest())
  expect(events).toHaveLength(1)
  return { reply, event: events[0]! }
}

describe("metadata property names of a verdict", () => {
  it("carries names of 1 to 255 printable ASCII characters without spaces", async () => {
    const names = ["X", "!~", "User-Id", "n".repeat(255)]
    const { reply } = await allowedWith(Object.fromEntries(names.map((name) => [name, "value"])))
    expect(reply.statusCode).toBe(200)
    expect(reply.metadata).toEqual(Object.fromEntries(names.map((name) => [name, "value"])))
  })

  it.each([
    ["empty", ""],
    ["256 characters long", "n".repeat(256)],
    ["with a space inside", "Zone Name"],
    ["starting with a space", " Zone"],
    ["ending with a space", "Zone "],
    ["starting with a control character", "\tZone"],
    ["ending with DEL", "Zone\x7f"],
    ["non-ASCII", "Zoné"],
  ])("answers 500 for a name %s, without echoing it", async (_what, name) => {
    const { reply, event } = await allowedWith({ [name]: "value" })
    expect(reply).toMatchObject({ statusCode: 500, statusText: "Internal error" })
    expect(reply.metadata).toBeUndefined()
    expect(event.error?.message).toMatch(/ returned a verdict with a metadata property name that ZMTP cannot carry$/)
  })

  it.each([
    ["a string", "Zone=eu"],
    ["null", null],
    ["an array", [["Zone", "eu"]]],
  ])("answers 500 for metadata that is %s", async (_what, metadata) => {
    const { reply, event } = await allowedWith(metadata)
    expect(reply.statusCode).toBe(500)
    expect(event.error?.message).toMatch(/ returned a verdict whose metadata is not an object$/)
  })
})
