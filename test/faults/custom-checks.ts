import { afterEach, describe, expect, it } from "vitest"
import type { AdapterUnderTest, ServedEngine } from "../helpers/adapter.js"
import { decisionAt, guard } from "../helpers/pyzmq-scenarios.js"
import { decisionFor } from "./decision-for.js"
import {
  attemptHandshake,
  sendZapFrames,
  startServer,
  zapFrames,
  type HandshakeOutcome,
  type TestServer,
} from "../helpers/sockets.js"

const MODULE = new URL("../fixtures/thread/custom-check-module.mjs", import.meta.url)

/** Per domain of the fixture module: what the client must get, and what the decision event must say. */
const CASES: Array<
  [domain: string, outcome: HandshakeOutcome, statusCode: number, statusText: string, userId: string]
> = [
  ["open", "handshake", 200, "OK", "anonymous"],
  ["closed", "handshake:error:auth", 400, "Closed for maintenance", ""],
  ["busy", "handshake:error:auth", 300, "Try again later", ""],
  ["vip", "handshake", 200, "OK", "vip-guest"],
  ["vetoed", "handshake:error:auth", 400, "Denied by check", ""],
  ["renamed", "handshake", 200, "OK", "renamed:anonymous"],
  ["broken", "handshake:error:auth", 500, "Internal error", ""],
]

/**
 * Custom checks (`Authenticator.addCheck`) through one adapter, with the engine built by a
 * module: the verdict of a check is both what the client gets and what the `decision` event says.
 */
export function runCustomChecks(adapter: AdapterUnderTest): void {
  describe(`custom checks (${adapter.name} adapter)`, () => {
    let served: ServedEngine | undefined
    const servers: TestServer[] = []

    afterEach(async () => {
      for (const server of servers.splice(0)) server.close()
      await served?.stop()
      served = undefined
    })

    for (const [domain, outcome, statusCode, statusText, userId] of CASES) {
      it(`domain ${domain}: the client gets ${statusCode} ${statusText} and the decision event says so`, async () => {
        served = await adapter.serve({ module: MODULE })
        const engine = served
        const [version, , code, text, user, metadata] = await sendZapFrames(
          zapFrames({ mechanism: "NULL", domain, requestId: `zap-${domain}` })
        )
        expect(version?.toString()).toBe("1.0")
        expect([Number(code?.toString()), text?.toString(), user?.toString()]).toEqual([statusCode, statusText, userId])
        const event = await decisionFor(engine, `zap-${domain}`)
        expect([event.reply.statusCode, event.reply.statusText, event.reply.userId]).toEqual([
          statusCode,
          statusText,
          userId,
        ])
        if (domain === "vip") {
          expect(metadata?.toString("latin1")).toContain("Tier")
          expect(event.reply.metadata).toEqual({ Tier: "gold" })
        }
        if (statusCode === 500) expect(event.error?.message).toMatch(/statusCode/)

        const server = await startServer({ mechanism: "NULL", domain })
        servers.push(server)
        const mark = engine.decisions.length
        expect(await guard(attemptHandshake(server, { mechanism: "NULL" }), 10_000, "no handshake outcome")).toBe(
          outcome
        )
        const handshakeEvent = await decisionAt(engine, mark)
        expect([handshakeEvent.reply.statusCode, handshakeEvent.reply.statusText, handshakeEvent.reply.userId]).toEqual(
          [statusCode, statusText, userId]
        )
      })
    }
  })
}
