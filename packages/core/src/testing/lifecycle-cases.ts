import assert from "node:assert/strict"
import type { ConformanceCase } from "./conformance-case.js"
import { settleWithin } from "./settle-within.js"
import { freshKey, type StoreSession } from "./store-session.js"
import type { VerdictOutcome } from "./verdict-outcome.js"

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
          "the right password"
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
          `${what} with an aborted signal did not settle within ${session.settleWithinMs} ms`
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
            `${what} (${phase}) aborted while running did not settle within ${session.settleWithinMs} ms`
          )
        }
      }
    },
  },
  {
    name: "answers many concurrent checks each by its own credentials, or 300 when it sheds load",
    needs: [],
    async run(session) {
      const { store, admin } = session
      const keys = Array.from({ length: 20 }, () => freshKey())
      const users = Array.from({ length: 10 }, (_, index) => [`user-${index}`, `password-${index}`] as const)
      if (store.checkCurveKey !== undefined) {
        for (const [index, key] of keys.entries()) await admin.addCurveKey("app", key, { userId: `user-${index}` })
      }
      if (store.checkPlain !== undefined) {
        for (const [username, password] of users) await admin.setPassword("app", username, password)
      }
      const judge = (what: string, statusCode: 200 | 400, userId?: string) => (outcome: VerdictOutcome) => {
        if (outcome.statusCode === 300) return "shed"
        assert.equal(outcome.statusCode, statusCode, what)
        if (userId !== undefined) assert.equal(outcome.userId, userId, what)
        return "decided"
      }
      const checks: Array<Promise<"shed" | "decided">> = []
      for (let round = 0; round < 3; round++) {
        if (store.checkCurveKey !== undefined) {
          for (const [index, key] of keys.entries()) {
            checks.push(session.curve("app", key).then(judge(`key ${index}`, 200, `user-${index}`)))
            checks.push(session.curve("app", freshKey()).then(judge("an unknown key", 400)))
          }
        }
        if (store.checkPlain !== undefined) {
          for (const [index, [username, password]] of users.entries()) {
            const [, otherPassword] = users[(index + 1) % users.length]!
            checks.push(session.plain("app", username, Buffer.from(password)).then(judge(username, 200)))
            checks.push(
              session.plain("app", username, Buffer.from(otherPassword)).then(judge(`${username}, wrong`, 400))
            )
          }
        }
      }
      const answers = await Promise.all(checks)
      assert.ok(answers.includes("decided"), "every concurrent check was shed with 300")
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
