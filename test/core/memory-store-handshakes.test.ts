import { afterEach, describe, expect, it } from "vitest"
import { curveKeyPair } from "zeromq"
import { Authenticator, MemoryCredentialStore, ZapHandler, type DecisionEvent } from "@zmq-auth/core"
import { attemptHandshake, startServer, type TestServer } from "../helpers/sockets.js"

describe("MemoryCredentialStore behind a ZapHandler", () => {
  let handler: ZapHandler | undefined
  let server: TestServer | undefined
  afterEach(async () => {
    server?.socket.close()
    await handler?.stop()
  })

  it("decides real CURVE and PLAIN handshakes: user ids, revocation at '*', removal, outage", async () => {
    const store = new MemoryCredentialStore()
    const engine = new Authenticator().configureStore("*", store)
    const decisions: DecisionEvent[] = []
    engine.on("decision", (event) => decisions.push(event))
    handler = new ZapHandler(engine)
    await handler.start()
    const alice = curveKeyPair()
    await store.addCurveKey("app", alice.publicKey, { userId: "alice" })
    await store.setPassword("*", "bob", "hunter2")
    server = await startServer({ mechanism: "CURVE", domain: "app" })
    expect(await attemptHandshake(server, { mechanism: "CURVE", ...alice })).toBe("handshake")
    await store.revokeCurveKey("*", alice.publicKey)
    expect(await attemptHandshake(server, { mechanism: "CURVE", ...alice })).toBe("handshake:error:auth")
    server.socket.close()
    server = await startServer({ mechanism: "PLAIN", domain: "app" })
    expect(await attemptHandshake(server, { mechanism: "PLAIN", username: "bob", password: "hunter2" })).toBe(
      "handshake"
    )
    store.setAvailable(false)
    expect(await attemptHandshake(server, { mechanism: "PLAIN", username: "bob", password: "hunter2" })).toBe(
      "handshake:error:auth"
    )
    store.setAvailable(true)
    await store.removeUser("app", "bob")
    expect(await attemptHandshake(server, { mechanism: "PLAIN", username: "bob", password: "hunter2" })).toBe(
      "handshake:error:auth"
    )
    expect(decisions.map(({ reply }) => [reply.statusCode, reply.statusText, reply.userId])).toEqual([
      [200, "OK", "alice"],
      [400, "Key revoked", ""],
      [200, "OK", "bob"],
      [300, "Credential store unavailable", ""],
      [400, "User removed", ""],
    ])
    expect(JSON.stringify(decisions)).not.toContain("hunter2")
  })
})
