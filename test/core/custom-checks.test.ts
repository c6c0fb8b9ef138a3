import { describe, expect, it } from "vitest"
import { Authenticator, type CustomCheckStage, type ZapRequest } from "@zmq-auth/core"

function plain(username: string, password: string): ZapRequest {
  return {
    version: "1.0",
    requestId: Buffer.from("7"),
    domain: "d",
    address: "192.0.2.1",
    identity: Buffer.alloc(0),
    mechanism: "PLAIN",
    credentials: [Buffer.from(username), Buffer.from(password)],
  }
}

describe("Authenticator.addCheck", () => {
  it("rejects a non-function or an unknown stage with ERR_AUTHENTICATOR", () => {
    const engine = new Authenticator()
    expect(() => engine.addCheck("no" as never)).toThrow(expect.objectContaining({ code: "ERR_AUTHENTICATOR" }))
    expect(() => engine.addCheck(() => undefined, { stage: "during" as CustomCheckStage })).toThrow(/stage/)
  })

  it("runs before checks in order, the first verdict deciding; after checks only for allowed requests", async () => {
    const calls: string[] = []
    const engine = new Authenticator().configurePlain("*", { admin: "secret" })
    engine.addCheck(() => {
      calls.push("before-1")
      return undefined
    })
    engine.addCheck((request) => {
      calls.push("before-2")
      return request.credentials[0]!.toString() === "root" ? { statusCode: 400, statusText: "No root" } : true
    })
    engine.addCheck(
      () => {
        calls.push("after")
        return undefined
      },
      { stage: "after" }
    )
    expect(await engine.authenticate(plain("root", "x"))).toMatchObject({ statusCode: 400, statusText: "No root" })
    expect(calls).toEqual(["before-1", "before-2"])
    calls.length = 0
    expect(await engine.authenticate(plain("admin", "wrong"))).toMatchObject({
      statusCode: 400,
      statusText: "Invalid password",
    })
    expect(calls).toEqual(["before-1", "before-2"])
    calls.length = 0
    expect(await engine.authenticate(plain("admin", "secret"))).toMatchObject({ statusCode: 200, userId: "admin" })
    expect(calls).toEqual(["before-1", "before-2", "after"])
  })

  it("gives after checks the allowed reply, and never turns a denial into an allow", async () => {
    const engine = new Authenticator().configurePlain("*", { admin: "secret" })
    engine.addCheck((_request, { reply }) => ({ statusCode: 200, userId: `checked:${reply?.userId}` }), {
      stage: "after",
    })
    expect(await engine.authenticate(plain("admin", "secret"))).toMatchObject({
      statusCode: 200,
      userId: "checked:admin",
    })
    expect(await engine.authenticate(plain("admin", "nope"))).toMatchObject({ statusCode: 400, userId: "" })
  })

  it("answers 500 (cause in the event) to a check that throws, rejects or returns a malformed verdict", async () => {
    for (const check of [
      () => {
        throw new Error("db down")
      },
      () => Promise.reject(new Error("db down")),
      () => ({ statusCode: 200, userId: 7 }),
      () => "secret",
    ]) {
      const engine = new Authenticator().configurePlain("*", { admin: "secret" })
      engine.addCheck(check as never)
      const events: Array<{ error?: Error }> = []
      engine.on("decision", (event) => events.push(event))
      expect(await engine.authenticate(plain("admin", "secret"))).toMatchObject({
        statusCode: 500,
        statusText: "Internal error",
      })
      expect(events[0]?.error).toBeInstanceOf(Error)
      expect(events[0]?.error?.message).not.toContain("secret")
    }
  })
})
