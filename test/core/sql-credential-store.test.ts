import { scryptSync } from "node:crypto"
import { readFile } from "node:fs/promises"
import { afterEach, describe, expect, it } from "vitest"
import { Authenticator, ZapHandler, type DecisionEvent } from "@zmq-auth/core"
import { attemptHandshake, newClientKeys, startServer, type TestServer } from "../helpers/sockets.js"
import { SqlCredentialStore, type SqlClient } from "./examples/sql-credential-store.js"

/** Stands in for the user's database: answers the example's two queries from arrays. */
function tables(
  plainUsers: Array<{ domain: string; name: string; password: string }>,
  curveKeys: Array<{ domain: string; public_key: string; user_id: string; revoked: boolean }>,
  state: { down: boolean }
): SqlClient {
  const hashed = plainUsers.map((user) => ({
    ...user,
    salt: Buffer.from(`salt-${user.name}`),
    hash: scryptSync(user.password, `salt-${user.name}`, 32),
  }))
  return {
    async query(sql, [domain, key]) {
      if (state.down) throw new Error("connection refused")
      const inDomain = (row: { domain: string }): boolean => row.domain === domain || row.domain === "*"
      if (sql.includes("FROM curve_keys")) return curveKeys.filter((row) => inDomain(row) && row.public_key === key)
      return hashed
        .filter((row) => inDomain(row) && row.name === key)
        .sort((a, b) => Number(a.domain === "*") - Number(b.domain === "*"))
    },
  }
}

describe("README: a user's own credential store backed by SQL", () => {
  let handler: ZapHandler | undefined
  const servers: TestServer[] = []

  afterEach(async () => {
    for (const server of servers.splice(0)) server.close()
    await handler?.stop()
  })

  it("the README shows the example verbatim", async () => {
    const readme = await readFile(new URL("../../README.md", import.meta.url), "utf8")
    const source = await readFile(new URL("./examples/sql-credential-store.ts", import.meta.url), "utf8")
    expect(readme).toContain("```ts\n" + source + "```")
  })

  it("decides PLAIN and CURVE handshakes: hashes, fallback domain, revocation, 300 if the database fails", async () => {
    const revokedKeys = newClientKeys()
    const goodKeys = newClientKeys()
    const state = { down: false }
    const db = tables(
      [{ domain: "*", name: "alice", password: "wonderland" }],
      [
        { domain: "*", public_key: goodKeys.publicKey, user_id: "sensor-1", revoked: false },
        { domain: "*", public_key: revokedKeys.publicKey, user_id: "sensor-2", revoked: false },
        { domain: "plant", public_key: revokedKeys.publicKey, user_id: "sensor-2", revoked: true },
      ],
      state
    )
    const engine = new Authenticator().configureStore("*", new SqlCredentialStore(db))
    const decisions: DecisionEvent[] = []
    engine.on("decision", (event) => decisions.push(event))
    handler = new ZapHandler(engine)
    await handler.start()
    const plain = await startServer({ mechanism: "PLAIN", domain: "plant" })
    const curve = await startServer({ mechanism: "CURVE", domain: "plant" })
    servers.push(plain, curve)
    expect(await attemptHandshake(plain, { mechanism: "PLAIN", username: "alice", password: "wonderland" })).toBe(
      "handshake"
    )
    expect(await attemptHandshake(plain, { mechanism: "PLAIN", username: "alice", password: "rabbit" })).toBe(
      "handshake:error:auth"
    )
    expect(await attemptHandshake(curve, { mechanism: "CURVE", ...goodKeys })).toBe("handshake")
    expect(await attemptHandshake(curve, { mechanism: "CURVE", ...revokedKeys })).toBe("handshake:error:auth")
    state.down = true
    expect(await attemptHandshake(curve, { mechanism: "CURVE", ...goodKeys })).toBe("handshake:error:auth")
    expect(decisions.map(({ reply }) => `${reply.statusCode} ${reply.userId}`)).toEqual([
      "200 alice",
      "400 ",
      "200 sensor-1",
      "400 ",
      "300 ",
    ])
  })
})
