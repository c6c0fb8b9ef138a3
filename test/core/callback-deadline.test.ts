import { describe, expect, it } from "vitest"
import { Authenticator, CURVE_ALLOW_ANY, type ZapRequest } from "@zmq-auth/core"

const CURVE_REQUEST: ZapRequest = {
  version: "1.0",
  requestId: Buffer.from("late"),
  domain: "global",
  address: "127.0.0.1",
  identity: Buffer.alloc(0),
  mechanism: "CURVE",
  credentials: [Buffer.alloc(32, 7)],
}

/** Keeps the thread busy for `ms`: the event loop runs no timer meanwhile. */
function stall(ms: number): void {
  const until = performance.now() + ms
  while (performance.now() < until) {
    // a process too busy to run its timers
  }
}

describe("callbackTimeoutMs is a deadline, also on a stalled event loop", () => {
  it('denies with 500 a CURVE key callback whose "true" comes past the deadline, before the timer ran', async () => {
    const engine = new Authenticator({ callbackTimeoutMs: 50 })
    let answer!: (allowed: boolean) => void
    engine.configureCurveCallback(
      "*",
      () =>
        new Promise<boolean>((resolve) => {
          answer = resolve
        })
    )
    const deciding = engine.authenticate(CURVE_REQUEST)
    stall(80)
    answer(true)
    expect(await deciding).toMatchObject({ statusCode: 500, statusText: "Internal error", userId: "" })
  })

  it("denies with 500 a user id that comes after the deadline under CURVE_ALLOW_ANY", async () => {
    let answer!: (userId: string) => void
    let asked!: () => void
    const userIdAsked = new Promise<void>((resolve) => {
      asked = resolve
    })
    const engine = new Authenticator({
      callbackTimeoutMs: 50,
      curveUserId: () =>
        new Promise<string>((resolve) => {
          answer = resolve
          asked()
        }),
    })
    await engine.configureCurve("*", CURVE_ALLOW_ANY)
    const deciding = engine.authenticate(CURVE_REQUEST)
    await userIdAsked
    stall(80)
    answer("late-user")
    expect(await deciding).toMatchObject({ statusCode: 500, userId: "" })
  })

  it("still allows a callback that answers in time", async () => {
    const engine = new Authenticator({ callbackTimeoutMs: 5_000 })
    engine.configureCurveCallback("*", () => Promise.resolve(true))
    expect((await engine.authenticate(CURVE_REQUEST)).statusCode).toBe(200)
  })
})
