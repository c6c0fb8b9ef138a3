import { afterEach, describe, expect, it } from "vitest"
import type { Subscription } from "rxjs"
import { Authenticator, type DecisionEvent, type ZapRequest } from "@zmq-auth/core"
import {
  authenticate,
  decisions,
  guardPlainFailures,
  zapEndpointReleased,
  zapRequests,
  type ZapDecision,
} from "@zmq-auth/rx"
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
      .pipe(
        guardPlainFailures({ maxFailures: 3, windowMs: WINDOW_MS, now, onBlocked: (request) => blocked.push(request) }),
        authenticate(engine)
      )
      .subscribe()
    server = await startServer({ mechanism: "PLAIN", domain: "guarded" })
    return { engineDecisions, blocked }
  }

  it("blocks an address after maxFailures failed PLAIN logins, not asking the engine, until they age out", async () => {
    const start = 1_000_000
    let clock = start
    const { engineDecisions, blocked } = await guarded(() => clock)
    expect(await attemptHandshake(server!, ADMIN)).toBe("handshake")
    for (let attempt = 0; attempt < 3; attempt++) {
      expect(await attemptHandshake(server!, GUESS)).toBe("handshake:error:auth")
      clock += 1000
    }
    expect(await attemptHandshake(server!, ADMIN)).toBe("handshake:error:auth")
    expect(engineDecisions.filter((decision) => decision.blocked === undefined)).toHaveLength(4)
    expect(blocked.map((request) => [request.address, request.credentials.map(String)])).toEqual([
      ["127.0.0.1", ["admin", "[redacted]"]],
    ])

    clock = start + WINDOW_MS - 1
    expect(await attemptHandshake(server!, ADMIN)).toBe("handshake:error:auth")
    clock = start + WINDOW_MS
    expect(await attemptHandshake(server!, ADMIN)).toBe("handshake")
    expect(engineDecisions.filter((decision) => decision.blocked === undefined)).toHaveLength(5)
  })

  it('counts per address and answers blocked ones 400 "Too many failed attempts"', async () => {
    const { blocked } = await guarded(() => 0)
    const attempt = async (address: string, password: string): Promise<string[]> => {
      const reply = await sendZapFrames(
        zapFrames({ mechanism: "PLAIN", address, domain: "guarded", credentials: ["admin", password] })
      )
      return reply.slice(2, 4).map(String)
    }
    for (let index = 0; index < 3; index++)
      expect(await attempt("192.0.2.7", "guess")).toEqual(["400", "Invalid password"])
    expect(await attempt("192.0.2.7", "secret")).toEqual(["400", "Too many failed attempts"])
    expect(await attempt("192.0.2.8", "secret")).toEqual(["200", "OK"])
    expect(blocked.map((request) => request.address)).toEqual(["192.0.2.7"])
  })

  it("reports blocked requests in decisions(engine) and in authenticate()'s stream, password redacted", async () => {
    const engine = new Authenticator().configurePlain("*", { admin: "secret" })
    const streamed: ZapDecision[] = []
    const observed: DecisionEvent[] = []
    const observing = decisions(engine).subscribe((event) => observed.push(event))
    subscription = zapRequests()
      .pipe(guardPlainFailures({ maxFailures: 1, windowMs: WINDOW_MS }), authenticate(engine))
      .subscribe((decision) => streamed.push(decision))
    subscription.add(observing)
    const attempt = async (requestId: string, password: string): Promise<string[]> =>
      (
        await sendZapFrames(
          zapFrames({
            mechanism: "PLAIN",
            requestId,
            address: "192.0.2.7",
            domain: "guarded",
            credentials: ["admin", password],
          })
        )
      )
        .slice(2, 4)
        .map(String)
    expect(await attempt("first", "guess")).toEqual(["400", "Invalid password"])
    expect(await attempt("second", "secret")).toEqual(["400", "Too many failed attempts"])
    for (const list of [streamed, observed]) {
      expect(
        list.map((decision) => [
          decision.request.requestId.toString(),
          decision.reply.statusText,
          decision.blocked?.reason,
        ])
      ).toEqual([
        ["first", "Invalid password", undefined],
        ["second", "Too many failed attempts", "address"],
      ])
      expect(list[1]!.request.credentials.map(String)).toEqual(["admin", "[redacted]"])
    }
  })

  it("validates its options", () => {
    expect(() => guardPlainFailures({ maxFailures: 0, windowMs: 1000 })).toThrow(/maxFailures/)
    expect(() => guardPlainFailures({ maxFailures: 3, windowMs: -1 })).toThrow(/windowMs/)
    // A non-string statusText is refused up front, not when the first block would send it and error the stream.
    expect(() => guardPlainFailures({ maxFailures: 3, windowMs: 1000, statusText: 7 as unknown as string })).toThrow(
      /statusText/
    )
  })

  it("keeps serving when onBlocked or the clock throws (a blocked attacker cannot unbind the endpoint)", async () => {
    const engine = new Authenticator().configurePlain("*", { admin: "secret" })
    let clockFails = false
    const errors: unknown[] = []
    const warnings: string[] = []
    const onWarning = (warning: Error): void => {
      warnings.push(warning.message)
    }
    process.on("warning", onWarning)
    try {
      subscription = zapRequests()
        .pipe(
          guardPlainFailures({
            maxFailures: 1,
            windowMs: WINDOW_MS,
            now: () => {
              if (clockFails) throw new Error("clock down")
              return 0
            },
            onBlocked: () => {
              throw new Error("listener down")
            },
          }),
          authenticate(engine)
        )
        .subscribe({ error: (error: unknown) => errors.push(error) })
      const attempt = async (address: string, password: string): Promise<string[]> =>
        (
          await sendZapFrames(
            zapFrames({ mechanism: "PLAIN", address, domain: "guarded", credentials: ["admin", password] })
          )
        )
          .slice(2, 4)
          .map(String)
      expect(await attempt("192.0.2.9", "guess")).toEqual(["400", "Invalid password"])
      expect(await attempt("192.0.2.9", "secret")).toEqual(["400", "Too many failed attempts"])
      // A clock that throws blocks everyone (fails closed) instead of ending the stream.
      clockFails = true
      expect(await attempt("192.0.2.10", "secret")).toEqual(["400", "Too many failed attempts"])
      clockFails = false
      expect(await attempt("192.0.2.10", "secret")).toEqual(["200", "OK"])
      expect(errors).toEqual([])
      expect(
        warnings.filter((warning) => /onBlocked threw: listener down|now threw: clock down/.test(warning)).length
      ).toBeGreaterThanOrEqual(2)
    } finally {
      process.off("warning", onWarning)
    }
  })
})
