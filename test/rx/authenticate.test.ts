import { afterEach, describe, expect, it } from "vitest"
import { firstValueFrom, type Subscription } from "rxjs"
import { Authenticator, type ZapReply, type ZapRequest } from "@zmq-auth/core"
import { AUTHENTICATE_NOW } from "@zmq-auth/core/internal"
import { authenticate, decisions, zapEndpointReleased, zapRequests, type ZapDecision } from "@zmq-auth/rx"
import { startServer, type TestServer } from "../helpers/sockets.js"
import { attemptHandshakeOnce as attemptHandshake } from "./single-attempt.js"

const ADMIN = { mechanism: "PLAIN", username: "admin", password: "secret" } as const

describe("authenticate and decisions", () => {
  const subscriptions: Subscription[] = []
  let server: TestServer | undefined

  afterEach(async () => {
    for (const subscription of subscriptions.splice(0)) subscription.unsubscribe()
    server?.close()
    await zapEndpointReleased()
  })

  async function serveDecisions(engine: Pick<Authenticator, "authenticate">): Promise<() => Promise<ZapDecision>> {
    const seen: ZapDecision[] = []
    const waiting: Array<(decision: ZapDecision) => void> = []
    subscriptions.push(
      zapRequests()
        .pipe(authenticate(engine))
        .subscribe((decision) => {
          const waiter = waiting.shift()
          if (waiter === undefined) seen.push(decision)
          else waiter(decision)
        })
    )
    server = await startServer({ mechanism: "PLAIN", domain: "rx" })
    return () => {
      const decision = seen.shift()
      return decision === undefined ? new Promise((resolve) => waiting.push(resolve)) : Promise.resolve(decision)
    }
  }

  it("emits each decision with the reply sent and the PLAIN password redacted", async () => {
    const nextDecision = await serveDecisions(new Authenticator().configurePlain("*", { admin: "secret" }))
    expect(await attemptHandshake(server!, ADMIN)).toBe("handshake")
    const allowed = await nextDecision()
    expect(allowed.reply).toMatchObject({ statusCode: 200, statusText: "OK", userId: "admin" })
    expect(allowed.reply.requestId.equals(allowed.request.requestId)).toBe(true)
    expect(allowed.request.credentials.map(String)).toEqual(["admin", "[redacted]"])
    expect(await attemptHandshake(server!, { ...ADMIN, password: "guess" })).toBe("handshake:error:auth")
    expect((await nextDecision()).reply).toMatchObject({ statusCode: 400, statusText: "Invalid password", userId: "" })
  })

  it("denies with 500 when the engine rejects", async () => {
    const nextDecision = await serveDecisions({ authenticate: () => Promise.reject(new Error("engine down")) })
    expect(await attemptHandshake(server!, ADMIN)).toBe("handshake:error:auth")
    const decision = await nextDecision()
    expect(decision.reply).toMatchObject({ statusCode: 500, statusText: "Internal error", userId: "" })
    expect(decision.error?.message).toBe("engine down")
  })

  it("takes the engine's AUTHENTICATE_NOW reply when it has one, and denies with 500 when it throws", async () => {
    let broken = false
    const engine = {
      authenticate: () => Promise.reject(new Error("authenticate() should not be asked")),
      [AUTHENTICATE_NOW]: (request: ZapRequest): ZapReply => {
        if (broken) throw new Error("engine broke")
        return { requestId: request.requestId, statusCode: 200, statusText: "Now", userId: "now" }
      },
    }
    const nextDecision = await serveDecisions(engine)
    expect(await attemptHandshake(server!, ADMIN)).toBe("handshake")
    expect((await nextDecision()).reply).toMatchObject({ statusCode: 200, statusText: "Now", userId: "now" })
    broken = true
    expect(await attemptHandshake(server!, ADMIN)).toBe("handshake:error:auth")
    const failed = await nextDecision()
    expect(failed.reply).toMatchObject({ statusCode: 500, statusText: "Internal error" })
    expect(failed.error?.message).toBe("engine broke")
  })

  it("denies with 500 an allow carrying another request id, or a malformed reply", async () => {
    const replies: ZapReply[] = [
      { requestId: Buffer.from("other"), statusCode: 200, statusText: "OK", userId: "admin" },
      { statusCode: 299, statusText: "OK", userId: "admin" } as unknown as ZapReply,
    ]
    const nextDecision = await serveDecisions({ authenticate: async () => replies.shift()! })
    for (const expectedError of [/another request id/, /statusCode/]) {
      expect(await attemptHandshake(server!, ADMIN)).toBe("handshake:error:auth")
      const decision = await nextDecision()
      expect(decision.reply.statusCode).toBe(500)
      expect(decision.error?.message).toMatch(expectedError)
    }
  })

  it("streams an engine's decision events and removes its listener on unsubscribe", async () => {
    const engine = new Authenticator().configurePlain("*", { admin: "secret" })
    await serveDecisions(engine)
    const firstDecision = firstValueFrom(decisions(engine))
    expect(engine.listenerCount("decision")).toBe(1)
    const started = performance.now()
    expect(await attemptHandshake(server!, { ...ADMIN, password: "guess" })).toBe("handshake:error:auth")
    const event = await firstDecision
    const whole = performance.now() - started
    expect(event.reply.statusText).toBe("Invalid password")
    expect(event.request.credentials[1]?.toString()).toBe("[redacted]")
    expect(event.elapsedMs).toBeGreaterThan(0)
    expect(event.elapsedMs).toBeLessThan(whole)
    expect(engine.listenerCount("decision")).toBe(0)
  })

  it("validates its arguments", () => {
    expect(() => authenticate({} as never)).toThrow(TypeError)
    expect(() => authenticate(new Authenticator(), { concurrency: 1.5 })).toThrow(/concurrency/)
    expect(() => decisions({} as never)).toThrow(TypeError)
  })
})
