import { afterEach, describe, expect, it } from "vitest"
import type { Subscription } from "rxjs"
import { Authenticator, type DecisionEvent, type ZapRequest } from "@zmq-auth/core"
import { authenticate, guardPlainFailures, zapEndpointReleased, zapRequests } from "@zmq-auth/rx"
import { sendZapFrames, startServer, zapFrames, type TestServer } from "../helpers/sockets.js"
import { attemptHandshakeOnce as attemptHandshake } from "./single-attempt.js"

const ADMIN = { mechanism: "PLAIN", username: "admin", password: "secret" } as const
const GUESS = { ...ADMIN, password: "guess" }
const WINDOW_MS = 60_000

describe("guardPlainFailures", () => {
  let subscription: Subscription | undefined
  let server: TestServer | undefined

  afterEach(async () => {
    subscription?.unsubscribe()
    server?.close()
    await zapEndpointReleased()
  })

  async function guarded(now: () => number): Promise<{ engineDecisions: DecisionEvent[]; blocked: ZapRequest[] }> {
    const engine = new Authenticator().configurePlain("*", { admin: "secret" })
    const engineDecisions: DecisionEvent[] = []
    engine.on("decision", (event) => engineDecisions.push(event))
    const blocked: ZapRequest[] = []
    subscription = zapRequests()
      .pipe(guardPlainFailures({ maxFailures: 3, windowMs: WINDOW_MS, now, onBlocked: (request) => blocked.push(request) }), authenticate(engine))
      .subscribe()
    server = await startServer({ mechanism: "PLAIN", domain: "guarded" })
    return { engineDecisions, blocked }
  }

  it("blocks an address after maxFailures failed PLAIN logins, without asking the engine, until they age out", async () => {
    const start = 1_000_000
    let clock = start
    const { engineDecisions, blocked } = await guarded(() => clock)
    expect(await attemptHandshake(server!, ADMIN)).toBe("handshake")
    for (let attempt = 0; attempt < 3; attempt++) {
      expect(await attemptHandshake(server!, GUESS)).toBe("handshake:error:auth")
      clock += 1000
    }
    expect(await attemptHandshake(server!, ADMIN)).toBe("handshake:error:auth")
    expect(engineDecisions).toHaveLength(4)
    expect(blocked.map((request) => [request.address, request.credentials.map(String)])).toEqual([["127.0.0.1", ["admin", "[redacted]"]]])

    clock = start + WINDOW_MS - 1
    expect(await attemptHandshake(server!, ADMIN)).toBe("handshake:error:auth")
    clock = start + WINDOW_MS
    expect(await attemptHandshake(server!, ADMIN)).toBe("handshake")
    expect(engineDecisions).toHaveLength(5)
  })

  it("counts per address and answers blocked ones 400 \"Too many failed attempts\"", async () => {
    const { blocked } = await guarded(() => 0)
    const attempt = async (address: string, password: string): Promise<string[]> => {
      const reply = await sendZapFrames(zapFrames({ mechanism: "PLAIN", address, domain: "guarded", credentials: ["admin", password] }))
      return reply.slice(2, 4).map(String)
    }
    for (let index = 0; index < 3; index++) expect(await attempt("192.0.2.7", "guess")).toEqual(["400", "Invalid password"])
    expect(await attempt("192.0.2.7", "secret")).toEqual(["400", "Too many failed attempts"])
    expect(await attempt("192.0.2.8", "secret")).toEqual(["200", "OK"])
    expect(blocked.map((request) => request.address)).toEqual(["192.0.2.7"])
  })

  it("validates its options", () => {
    expect(() => guardPlainFailures({ maxFailures: 0, windowMs: 1000 })).toThrow(/maxFailures/)
    expect(() => guardPlainFailures({ maxFailures: 3, windowMs: -1 })).toThrow(/windowMs/)
  })
})
