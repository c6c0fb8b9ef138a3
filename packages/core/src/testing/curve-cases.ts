import assert from "node:assert/strict"
import type { ConformanceCase } from "./conformance-case.js"
import { freshKey } from "./store-session.js"

const CURVE = ["checkCurveKey"] as const

/** Lookup order, revocation, expiry and events of CURVE keys. */
export const CURVE_CASES: readonly ConformanceCase[] = [
  {
    name: "CURVE: admits a key added under the request's domain, with the entry's user id",
    needs: CURVE,
    async run(session) {
      const key = freshKey()
      await session.admin.addCurveKey("app", key, { userId: "alice" })
      assert.deepEqual(await session.curve("app", key), { statusCode: 200, userId: "alice" })
      assert.deepEqual(
        await session.curve("app", key, null),
        { statusCode: 200, userId: "alice" },
        "a check made without a CredentialCheck"
      )
    },
  },
  {
    name: "CURVE: denies a key it does not have",
    needs: CURVE,
    async run(session) {
      await session.admin.addCurveKey("app", freshKey())
      assert.equal((await session.curve("app", freshKey())).statusCode, 400)
      assert.equal((await session.curve("*", freshKey())).statusCode, 400)
    },
  },
  {
    name: "CURVE: falls back to '*' for a domain without the key, the empty domain included",
    needs: CURVE,
    async run(session) {
      const key = freshKey()
      await session.admin.addCurveKey("*", key, { userId: "fallback" })
      for (const domain of ["app", "", "*"]) {
        assert.deepEqual(
          await session.curve(domain, key),
          { statusCode: 200, userId: "fallback" },
          `domain ${JSON.stringify(domain)}`
        )
      }
    },
  },
  {
    name: "CURVE: looks the request's domain up before '*'",
    needs: CURVE,
    async run(session) {
      const key = freshKey()
      await session.admin.addCurveKey("*", key, { userId: "fallback" })
      await session.admin.addCurveKey("app", key, { userId: "own" })
      assert.equal((await session.curve("app", key)).userId, "own")
      assert.equal((await session.curve("other", key)).userId, "fallback")
    },
  },
  {
    name: "CURVE: keeps a key of one domain out of every other domain",
    needs: CURVE,
    async run(session) {
      const key = freshKey()
      await session.admin.addCurveKey("app", key)
      for (const domain of ["other", "", "*", "App", "app "]) {
        assert.equal((await session.curve(domain, key)).statusCode, 400, `domain ${JSON.stringify(domain)}`)
      }
    },
  },
  {
    name: "CURVE: tells apart domains and keys that differ only in separator characters",
    needs: CURVE,
    async run(session) {
      const [first, second] = [freshKey(), freshKey()]
      await session.admin.addCurveKey("a:b", first)
      await session.admin.addCurveKey("a", second)
      assert.equal((await session.curve("a:b", first)).statusCode, 200)
      for (const [domain, key] of [
        ["a", first],
        ["a:b", second],
        ["a:b:", first],
        ["{a:b}", first],
      ] as const) {
        assert.equal((await session.curve(domain, key)).statusCode, 400, `domain ${JSON.stringify(domain)}`)
      }
    },
  },
  {
    name: "CURVE: a revocation under '*' wins over the key under any domain, whatever the order",
    needs: CURVE,
    async run(session) {
      const [addedFirst, revokedFirst] = [freshKey(), freshKey()]
      await session.admin.addCurveKey("app", addedFirst)
      await session.admin.revokeCurveKey("*", addedFirst)
      await session.admin.revokeCurveKey("*", revokedFirst)
      await session.admin.addCurveKey("app", revokedFirst)
      for (const key of [addedFirst, revokedFirst]) {
        assert.equal((await session.curve("app", key)).statusCode, 400)
        assert.equal((await session.curve("other", key)).statusCode, 400)
      }
    },
  },
  {
    name: "CURVE: a revocation under the domain wins over the key under '*', for that domain only",
    needs: CURVE,
    async run(session) {
      const [addedFirst, revokedFirst] = [freshKey(), freshKey()]
      await session.admin.addCurveKey("*", addedFirst)
      await session.admin.revokeCurveKey("app", addedFirst)
      await session.admin.revokeCurveKey("app", revokedFirst)
      await session.admin.addCurveKey("*", revokedFirst)
      for (const key of [addedFirst, revokedFirst]) {
        assert.equal((await session.curve("app", key)).statusCode, 400)
        assert.equal((await session.curve("other", key)).statusCode, 200)
      }
    },
  },
  {
    name: "CURVE: denies a key past its notAfter and admits one before it",
    needs: CURVE,
    async run(session) {
      const [expired, valid] = [freshKey(), freshKey()]
      await session.admin.addCurveKey("app", expired, { notAfter: new Date(Date.now() - 1_000) })
      await session.admin.addCurveKey("app", valid, { notAfter: new Date(Date.now() + 3_600_000) })
      assert.equal((await session.curve("app", expired)).statusCode, 400)
      assert.equal((await session.curve("app", valid)).statusCode, 200)
    },
  },
  {
    name: "CURVE: emits credential:revoked with the domain and key (stores that emit events)",
    needs: CURVE,
    async run(session) {
      const key = freshKey()
      await session.admin.addCurveKey("app", key)
      await session.admin.revokeCurveKey("app", key)
      if (typeof (session.store as { on?: unknown }).on !== "function") return
      const revoked = await session.nextEvent(
        "credential:revoked",
        (event) => (event as { publicKey?: unknown })?.publicKey === key
      )
      assert.equal((revoked as { domain?: unknown }).domain, "app")
    },
  },
]
