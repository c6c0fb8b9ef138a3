import { afterEach, describe, expect, it } from "vitest"
import type { DecisionEvent } from "@zmq-auth/core"
import type { AdapterUnderTest, ServedEngine } from "../helpers/adapter.js"
import { decisionAt, guard } from "../helpers/pyzmq-scenarios.js"
import { decisionFor } from "./decision-for.js"
import { attemptHandshake, sendZapFrames, startServer, zapFrames, type TestServer } from "../helpers/sockets.js"

const ADMIN = { mechanism: "PLAIN", username: "admin", password: "secret" } as const

/**
 * The engine's brute-force guard through one adapter: failures counted per address and per
 * address and user name, blocked requests answered 400 with `blocked` in the decision event, and
 * a client with the right password from its own address never locked out by an attacker's
 * failures on its user name.
 */
export function runBruteForceGuard(adapter: AdapterUnderTest): void {
  describe(`brute-force guard (${adapter.name} adapter)`, () => {
    let served: ServedEngine | undefined
    let server: TestServer | undefined

    afterEach(async () => {
      server?.close()
      await served?.stop()
      served = undefined
    })

    async function serve(): Promise<ServedEngine> {
      served = await adapter.serve({ guard: { maxFailures: 3, maxAddressFailures: 6, windowMs: 60_000 } })
      await served.engine.configurePlain("*", { admin: "secret", bob: "hunter2" })
      server = await startServer({ mechanism: "PLAIN", domain: "guarded" })
      return served
    }

    let requests = 0

    /** Sends one ZAP request; its reply's status code and text. Its decision: {@link decisionOf}. */
    async function zap(address: string, username: string, password: string, mechanism = "PLAIN"): Promise<string[]> {
      const credentials = mechanism === "PLAIN" ? [username, password] : []
      const reply = await sendZapFrames(
        zapFrames({ mechanism, address, domain: "guarded", credentials, requestId: `r${++requests}` })
      )
      return reply.slice(2, 4).map(String)
    }

    /** The decision event of the last request sent with {@link zap}, once it has arrived. */
    function lastZapDecision(engine: ServedEngine): Promise<DecisionEvent> {
      return decisionFor(engine, `r${requests}`)
    }

    it("blocks an address on a user name after maxFailures, even with the right password; says why", async () => {
      const engine = await serve()
      for (let index = 0; index < 3; index++)
        expect(await zap("192.0.2.7", "admin", `guess-${index}`)).toEqual(["400", "Invalid password"])
      expect(await zap("192.0.2.7", "admin", "secret")).toEqual(["400", "Too many failed attempts"])
      const decision = await lastZapDecision(engine)
      expect(decision.reply).toMatchObject({ statusCode: 400, statusText: "Too many failed attempts", userId: "" })
      expect(decision.blocked).toMatchObject({ reason: "address+user", failures: 3 })
      expect(decision.request.credentials.map(String)).toEqual(["admin", "[redacted]"])
      // Another user name from that address is not blocked yet.
      expect(await zap("192.0.2.7", "bob", "hunter2")).toEqual(["200", "OK"])
    })

    it("lets in a client with the right password while its user name is attacked elsewhere", async () => {
      const engine = await serve()
      for (let index = 0; index < 5; index++) await zap("192.0.2.7", "admin", `guess-${index}`)
      await lastZapDecision(engine)
      const mark = engine.decisions.length
      expect(await guard(attemptHandshake(server!, ADMIN), 10_000, "no handshake outcome")).toBe("handshake")
      expect((await decisionAt(engine, mark)).reply).toMatchObject({ statusCode: 200, userId: "admin" })
    })

    it("blocks the whole address, any mechanism, after maxAddressFailures", async () => {
      const engine = await serve()
      for (let index = 0; index < 6; index++) expect((await zap("192.0.2.9", `user-${index}`, "guess"))[0]).toBe("400")
      expect(await zap("192.0.2.9", "", "", "NULL")).toEqual(["400", "Too many failed attempts"])
      expect((await lastZapDecision(engine)).blocked).toMatchObject({ reason: "address", failures: 6 })
      expect(await zap("192.0.2.10", "", "", "NULL")).toEqual(["200", "OK"])
    })

    it("blocks a real client after its own failed handshakes", async () => {
      const engine = await serve()
      for (let index = 0; index < 3; index++) {
        expect(
          await guard(
            attemptHandshake(server!, { ...ADMIN, password: `guess-${index}` }),
            10_000,
            "no handshake outcome"
          )
        ).toBe("handshake:error:auth")
      }
      await decisionAt(engine, 2)
      const mark = engine.decisions.length
      expect(await guard(attemptHandshake(server!, ADMIN), 10_000, "no handshake outcome")).toBe("handshake:error:auth")
      const decision = await decisionAt(engine, mark)
      expect(decision.reply.statusText).toBe("Too many failed attempts")
      expect(decision.blocked?.reason).toBe("address+user")
    })
  })
}
