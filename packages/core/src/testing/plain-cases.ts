import assert from "node:assert/strict"
import { randomBytes } from "node:crypto"
import type { ConformanceCase } from "./conformance-case.js"
import { findSecret } from "./secret-scan.js"

const PLAIN = ["checkPlain"] as const

/** A password no store could produce by chance, so finding it anywhere means it was kept. */
function freshPassword(): string {
  return `conformance-${randomBytes(12).toString("hex")}`
}

/** Lookup order, removal and the handling of password bytes of PLAIN users. */
export const PLAIN_CASES: readonly ConformanceCase[] = [
  {
    name: "PLAIN: admits the right password, denies a wrong one and an unknown user",
    needs: PLAIN,
    async run(session) {
      const password = freshPassword()
      await session.admin.setPassword("app", "alice", password)
      const admitted = await session.plain("app", "alice", Buffer.from(password))
      assert.equal(admitted.statusCode, 200)
      assert.equal(
        (await session.plain("app", "alice", Buffer.from(password), null)).statusCode,
        200,
        "a check made without a CredentialCheck"
      )
      for (const wrong of [`${password}x`, password.slice(0, -1), password.toUpperCase(), ""]) {
        assert.equal(
          (await session.plain("app", "alice", Buffer.from(wrong))).statusCode,
          400,
          `password ${JSON.stringify(wrong)}`
        )
      }
      assert.equal((await session.plain("app", "bob", Buffer.from(password))).statusCode, 400)
    },
  },
  {
    name: "PLAIN: compares the password's UTF-8 bytes as a client sends them",
    needs: PLAIN,
    async run(session) {
      await session.admin.setPassword("app", "ünïcode", "pässwörd ✓")
      assert.equal((await session.plain("app", "ünïcode", Buffer.from("pässwörd ✓", "utf8"))).statusCode, 200)
      assert.equal((await session.plain("app", "ünïcode", Buffer.from("pässwörd ✓", "latin1"))).statusCode, 400)
    },
  },
  {
    name: "PLAIN: looks the request's domain up before '*', and the record found decides",
    needs: PLAIN,
    async run(session) {
      const [own, fallback] = [freshPassword(), freshPassword()]
      await session.admin.setPassword("*", "alice", fallback)
      await session.admin.setPassword("app", "alice", own)
      assert.equal((await session.plain("app", "alice", Buffer.from(own))).statusCode, 200)
      assert.equal((await session.plain("app", "alice", Buffer.from(fallback))).statusCode, 400)
      for (const domain of ["other", "", "*"]) {
        assert.equal(
          (await session.plain(domain, "alice", Buffer.from(fallback))).statusCode,
          200,
          `domain ${JSON.stringify(domain)}`
        )
        assert.equal(
          (await session.plain(domain, "alice", Buffer.from(own))).statusCode,
          400,
          `domain ${JSON.stringify(domain)}`
        )
      }
    },
  },
  {
    name: "PLAIN: tells apart domains and user names that differ only in separator characters",
    needs: PLAIN,
    async run(session) {
      const password = freshPassword()
      await session.admin.setPassword("a:user:b", "c", password)
      await session.admin.setPassword("a{b}", "c", password)
      for (const [domain, username] of [
        ["a", "b:user:c"],
        ["a:user", "b:c"],
        ["a", "{b}c"],
        ["a{b", "}c"],
        ["a", "user:b:c"],
      ] as const) {
        assert.equal(
          (await session.plain(domain, username, Buffer.from(password))).statusCode,
          400,
          `${JSON.stringify(domain)} / ${JSON.stringify(username)}`
        )
      }
      assert.equal((await session.plain("a:user:b", "c", Buffer.from(password))).statusCode, 200)
    },
  },
  {
    name: "PLAIN: denies a removed user, a new password replaces the old one",
    needs: PLAIN,
    async run(session) {
      const [first, second] = [freshPassword(), freshPassword()]
      await session.admin.setPassword("app", "alice", first)
      await session.admin.setPassword("app", "alice", second)
      assert.equal((await session.plain("app", "alice", Buffer.from(first))).statusCode, 400)
      assert.equal((await session.plain("app", "alice", Buffer.from(second))).statusCode, 200)
      await session.admin.removeUser("app", "alice")
      assert.equal((await session.plain("app", "alice", Buffer.from(second))).statusCode, 400)
      if (typeof (session.store as { on?: unknown }).on !== "function") return
      const removed = await session.nextEvent(
        "credential:revoked",
        (event) => (event as { username?: unknown })?.username === "alice"
      )
      assert.equal((removed as { domain?: unknown }).domain, "app")
    },
  },
  {
    name: "PLAIN: a removal under '*' wins over the user under any domain, whatever the order",
    needs: PLAIN,
    async run(session) {
      const password = freshPassword()
      await session.admin.setPassword("app", "set-first", password)
      await session.admin.removeUser("*", "set-first")
      await session.admin.removeUser("*", "removed-first")
      await session.admin.setPassword("app", "removed-first", password)
      for (const username of ["set-first", "removed-first"]) {
        assert.equal((await session.plain("app", username, Buffer.from(password))).statusCode, 400, username)
      }
    },
  },
  {
    name: "PLAIN: a removal under the domain wins over the user under '*', for that domain only",
    needs: PLAIN,
    async run(session) {
      const password = freshPassword()
      await session.admin.setPassword("*", "set-first", password)
      await session.admin.removeUser("app", "set-first")
      await session.admin.removeUser("app", "removed-first")
      await session.admin.setPassword("*", "removed-first", password)
      for (const username of ["set-first", "removed-first"]) {
        assert.equal((await session.plain("app", username, Buffer.from(password))).statusCode, 400, username)
        assert.equal((await session.plain("other", username, Buffer.from(password))).statusCode, 200, username)
      }
    },
  },
  {
    name: "PLAIN: keeps nothing of the password bytes it was given once the check settled",
    needs: PLAIN,
    async run(session) {
      const password = freshPassword()
      await session.admin.setPassword("app", "alice", password)
      const given = Buffer.from(password)
      assert.equal((await session.plain("app", "alice", given)).statusCode, 200)
      given.fill("*")
      assert.equal(
        (await session.plain("app", "alice", Buffer.alloc(given.length, "*"))).statusCode,
        400,
        "the altered bytes were admitted"
      )
      assert.equal(
        (await session.plain("app", "alice", Buffer.from(password))).statusCode,
        200,
        "the password was refused once the bytes first given were altered"
      )
      given.fill(0)
      assert.equal(
        (await session.plain("app", "alice", Buffer.alloc(given.length))).statusCode,
        400,
        "the zeroed bytes were admitted"
      )
      assert.equal((await session.plain("app", "alice", Buffer.from(password))).statusCode, 200)
      const collect = (globalThis as { gc?: () => void }).gc
      if (typeof collect !== "function") return
      const reference = await (async () => {
        const bytes = Buffer.from(password)
        await session.plain("app", "alice", bytes)
        return new WeakRef(bytes)
      })()
      for (let attempt = 0; attempt < 10 && reference.deref() !== undefined; attempt++) {
        await new Promise((resolve) => setImmediate(resolve))
        collect()
      }
      assert.ok(reference.deref() === undefined, "the store still references the password Buffer after the check")
    },
  },
  {
    name: "PLAIN: puts no password in verdicts, events or errors",
    needs: PLAIN,
    async run(session) {
      const password = freshPassword()
      await session.admin.setPassword("app", "alice", password)
      const verdicts = [
        await session.store.checkPlain!("app", "alice", Buffer.from(password), {
          signal: new AbortController().signal,
        }),
        await session.store.checkPlain!("app", "alice", Buffer.from(`${password}-wrong`), {
          signal: new AbortController().signal,
        }),
        await session.store.checkPlain!("app", "nobody", Buffer.from(password), {
          signal: new AbortController().signal,
        }),
      ]
      const errors: unknown[] = []
      await session.admin.setPassword("app", null as never, password).then(
        () => undefined,
        (error: unknown) => errors.push(error)
      )
      await session.admin.removeUser("app", "alice")
      const found = findSecret({ verdicts, events: session.emitted, errors }, password)
      assert.equal(found, undefined, `the password was found at ${found}`)
    },
  },
]
