import { afterEach, describe, expect, it } from "vitest"
import type { Subscription } from "rxjs"
import { Authenticator, type CredentialStore } from "@zmq-auth/core"
import { authenticate, zapEndpointReleased, zapRequests, type ZapDecision } from "@zmq-auth/rx"
import { attemptHandshake, startServer, type TestServer } from "../helpers/sockets.js"

describe("a credential store through rx", () => {
  let subscription: Subscription | undefined
  let server: TestServer | undefined

  afterEach(async () => {
    subscription?.unsubscribe()
    server?.close()
    await zapEndpointReleased()
  })

  it("decides PLAIN handshakes by the store's verdicts through authenticate(engine), nothing rx-specific", async () => {
    const users = new Map([["carol", "s3cret"]])
    const store: CredentialStore = {
      async checkPlain(domain, username, password) {
        if (username === "busy") return { statusCode: 300 }
        return users.get(username) === password.toString()
          ? { statusCode: 200, userId: `${domain}/${username}` }
          : false
      },
    }
    const engine = new Authenticator().configureStore("*", store)
    const decided: ZapDecision[] = []
    const done = new Promise<ZapDecision[]>((resolve) => {
      subscription = zapRequests()
        .pipe(authenticate(engine))
        .subscribe((decision) => {
          decided.push(decision)
          if (decided.length === 3) resolve(decided)
        })
    })
    server = await startServer({ mechanism: "PLAIN", domain: "rx-store" })
    expect(await attemptHandshake(server, { mechanism: "PLAIN", username: "carol", password: "s3cret" })).toBe(
      "handshake"
    )
    expect(await attemptHandshake(server, { mechanism: "PLAIN", username: "carol", password: "guess" })).toBe(
      "handshake:error:auth"
    )
    expect(await attemptHandshake(server, { mechanism: "PLAIN", username: "busy", password: "x" })).toBe(
      "handshake:error:auth"
    )
    expect((await done).map(({ reply }) => [reply.statusCode, reply.statusText, reply.userId])).toEqual([
      [200, "OK", "rx-store/carol"],
      [400, "Invalid password", ""],
      [300, "Try again later", ""],
    ])
  })
})
