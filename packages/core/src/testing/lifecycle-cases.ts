import assert from "node:assert/strict"
import type { ConformanceCase } from "./conformance-case.js"
import { settleWithin } from "./settle-within.js"
import { freshKey, type StoreSession } from "./store-session.js"

/** One check of each mechanism the store has, of the credentials {@link setUp} made. */
function checksOf(session: StoreSession, key: string): Array<{ what: string; start(signal: AbortSignal): unknown }> {
  const checks: Array<{ what: string; start(signal: AbortSignal): unknown }> = []
  const { store } = session
  if (store.checkCurveKey !== undefined)
    checks.push({ what: "checkCurveKey", start: (signal) => store.checkCurveKey!("app", key, { signal }) })
  if (store.checkPlain !== undefined)
    checks.push({
      what: "checkPlain",
      start: (signal) => store.checkPlain!("app", "alice", Buffer.from("password"), { signal }),
    })
  return checks
}

async function setUp(session: StoreSession): Promise<string> {
  const key = freshKey()
  if (session.store.checkCurveKey !== undefined) await session.admin.addCurveKey("app", key)
  if (session.store.checkPlain !== undefined) await session.admin.setPassword("app", "alice", "password")
  return key
}

/** Temporary failure, abort, concurrency and close. */
export const LIFECYCLE_CASES: readonly ConformanceCase[] = [
  {
    name: "answers 300, never 200, for known and unknown credentials once unavailable",
    needs: ["makeUnavailable"],
    async run(session) {
      const key = await setUp(session)
      await session.makeUnavailable()
      if (session.store.checkCurveKey !== undefined) {
        assert.equal((await session.curve("app", key)).statusCode, 300, "a known key")
        assert.equal((await session.curve("app", freshKey())).statusCode, 300, "an unknown key")
      }
      if (session.store.checkPlain !== undefined) {
        assert.equal(
          (await session.plain("app", "alice", Buffer.from("password"))).statusCode,
          300,
          "the right password",
        )
        assert.equal((await session.plain("app", "alice", Buffer.from("wrong"))).statusCode, 300, "a wrong password")
        assert.equal((await session.plain("app", "nobody", Buffer.from("password"))).statusCode, 300, "an unknown user")
      }
    },
  },
  {
    name: "settles promptly a check whose signal is already aborted",
    needs: [],
    async run(session) {
      const key = await setUp(session)
      const controller = new AbortController()
      controller.abort(new Error("no longer wanted"))
      for (const { what, start } of checksOf(session, key)) {
        const settlement = await settleWithin(() => start(controller.signal), session.settleWithinMs)
        assert.ok(
          settlement.settled,
          `${what} with an aborted signal did not settle within ${session.settleWithinMs} ms`,
        )
      }
    },
  },
  {
    name: "settles promptly a check aborted while it runs, also once unavailable",
    needs: [],
    async run(session) {
      const key = await setUp(session)
      for (const phase of ["available", "unavailable"] as const) {
        if (phase === "unavailable") {
          if (!session.canBeMadeUnavailable) break
          await session.makeUnavailable()
        }
        for (const { what, start } of checksOf(session, key)) {
          const controller = new AbortController()
          const settling = settleWithin(() => start(controller.signal), session.settleWithinMs)
          controller.abort(new Error("no longer wanted"))
          assert.ok(
            (await settling).settled,
            `${what} (${phase}) aborted while running did not settle within ${session.settleWithinMs} ms`,
          )
        }
      }
    },
  },
  {
    name: "answers many concurrent checks each by its own credentials",
    needs: [],
    async run(session) {
      const known = Array.from({ length: 20 }, () => freshKey())
      const { store, admin } = session
      if (store.checkCurveKey !== undefined)
        for (const [index, key] of known.entries()) await admin.addCurveKey("app", key, { userId: `user-${index}` })
      if (store.checkPlain !== undefined)
        for (let index = 0; index < 10; index++) await admin.setPassword("app", `user-${index}`, `password-${index}`)
      const checks: Array<Promise<void>> = []
      for (let round = 0; round < 3; round++) {
        if (store.checkCurveKey !== undefined) {
          for (const [index, key] of known.entries()) {
            checks.push(
              session
                .curve("app", key)
                .then((outcome) => assert.deepEqual(outcome, { statusCode: 200, userId: `user-${index}` })),
            )
            checks.push(session.curve("app", freshKey()).then((outcome) => assert.equal(outcome.statusCode, 400)))
          }
        }
        if (store.checkPlain !== undefined) {
          for (let index = 0; index < 10; index++) {
            const username = `user-${index}`
            checks.push(
              session
                .plain("app", username, Buffer.from(`password-${index}`))
                .then((outcome) => assert.equal(outcome.statusCode, 200, username)),
            )
            checks.push(
              session
                .plain("app", username, Buffer.from(`password-${(index + 1) % 10}`))
                .then((outcome) => assert.equal(outcome.statusCode, 400, username)),
            )
          }
        }
      }
      await Promise.all(checks)
    },
  },
  {
    name: "closes once however often close() is called",
    needs: ["close"],
    async run(session) {
      await setUp(session)
      const settlement = await settleWithin(async () => {
        await Promise.all([session.store.close!(), session.store.close!()])
        await session.store.close!()
      }, session.settleWithinMs)
      assert.ok(settlement.settled, `close() did not settle within ${session.settleWithinMs} ms`)
      assert.ok(!("error" in settlement), `close() failed: ${"error" in settlement ? String(settlement.error) : ""}`)
    },
  },
]
