import { describe, expect, it } from "vitest"
import { curveKeyPair } from "zeromq"
import { runNode } from "../helpers/run-node.js"
import { openStore, useRedisServer } from "../helpers/redis-store.js"

const redis = useRedisServer()
const CLI = "packages/core/dist/cli/main.js"

function cli(args: string[], input?: string): ReturnType<typeof runNode> {
  return runNode(
    CLI,
    ["redis", ...args, "--url", redis.server.url],
    input === undefined ? { timeoutMs: 20_000 } : { input, timeoutMs: 20_000 }
  )
}

describe("zmq-auth redis", () => {
  it("adds/revokes CURVE keys, sets/removes PLAIN users, --wait reports each change the fleet applied", async () => {
    const server = await openStore(redis.server.url, { node: "server-1" })
    const client = curveKeyPair()

    const added = await cli(["add-key", "api", client.publicKey, "--user-id", "sensor-7", "--wait"])
    expect(added.stderr).toBe("")
    expect(added.exitCode).toBe(0)
    expect(added.stdout).toMatch(/^added key .+ to domain "api" \(generation \d+\)\napplied on 1\/1 in \d+ ms\n$/)
    expect(await server.checkCurveKey("api", client.publicKey)).toEqual({ statusCode: 200, userId: "sensor-7" })

    const password = await cli(["set-password", "api", "erin", "--wait", "--json"], "correct horse\n")
    expect(password.exitCode).toBe(0)
    expect(JSON.parse(password.stdout)).toMatchObject({
      action: "set-password",
      changes: 1,
      fleet: { applied: ["server-1"], pending: [] },
    })
    expect(await server.checkPlain("api", "erin", Buffer.from("correct horse"))).toEqual({
      statusCode: 200,
      userId: "erin",
    })

    const revoked = await cli(["revoke-key", "api", client.publicKey, "--wait"])
    expect(revoked.exitCode).toBe(0)
    expect(await server.checkCurveKey("api", client.publicKey)).toEqual({ statusCode: 400, statusText: "Key revoked" })

    const removed = await cli(["remove-user", "api", "erin", "--wait"])
    expect(removed.exitCode).toBe(0)
    expect(await server.checkPlain("api", "erin", Buffer.from("correct horse"))).toEqual({
      statusCode: 400,
      statusText: "User removed",
    })

    const listed = await cli(["list", "api", "--json"])
    expect(JSON.parse(listed.stdout)).toEqual({
      credentials: [
        { kind: "curve", domain: "api", publicKey: client.publicKey, state: "revoked" },
        { kind: "user", domain: "api", username: "erin", state: "removed" },
      ],
    })
    expect(listed.stdout).not.toContain("scrypt")

    const status = await cli(["status"])
    expect(status.exitCode).toBe(0)
    expect(status.stdout).toMatch(/^generation \d+; Redis role master, 0 connected replicas\n/)
    expect(status.stdout).toMatch(/server-1 +\d+ +0\n/)
  })

  it("takes a 40-character argument with a / for a Z85 key when no such file exists", async () => {
    const server = await openStore(redis.server.url, { node: "server-slash" })
    let client = curveKeyPair()
    while (!client.publicKey.includes("/")) client = curveKeyPair()
    const added = await cli(["add-key", "api", client.publicKey, "--json"])
    expect(added.stderr).toBe("")
    expect(added.exitCode).toBe(0)
    expect(await server.checkCurveKey("api", client.publicKey)).toMatchObject({ statusCode: 200 })
  })

  it("takes a Z85 key that starts with - or -- as the key, not as an option", async () => {
    const server = await openStore(redis.server.url, { node: "server-dash" })
    // One key in 85 starts with "-", one in 7,225 with "--".
    const keyStartingWith = (prefix: string): string => {
      for (;;) {
        const { publicKey } = curveKeyPair()
        if (publicKey.startsWith(prefix)) return publicKey
      }
    }
    for (const key of [keyStartingWith("-"), keyStartingWith("--")]) {
      const added = await cli(["add-key", "api", key, "--user-id", key, "--json"])
      expect(added.stderr).toBe("")
      expect(added.exitCode).toBe(0)
      expect(await server.checkCurveKey("api", key)).toEqual({ statusCode: 200, userId: key })
      const revoked = await cli(["revoke-key", "api", key])
      expect(revoked.exitCode).toBe(0)
      expect(await server.checkCurveKey("api", key)).toEqual({ statusCode: 400, statusText: "Key revoked" })
    }
  })

  it("takes a password only from standard input, and names what is wrong with exit code 2", async () => {
    const extra = await cli(["set-password", "api", "erin", "hunter2"], "ignored\n")
    expect(extra.exitCode).toBe(2)
    expect(extra.stderr).toContain('unexpected argument "hunter2"')
    expect((await cli(["rotate", "api"])).exitCode).toBe(2)
    const empty = await cli(["set-password", "api", "erin"], "")
    expect(empty.exitCode).toBe(1)
    expect(empty.stderr).toContain("the password is empty")
  })

  it("says which Redis it cannot reach, without the URL's password", async () => {
    const result = await runNode(CLI, ["redis", "status", "--url", "redis://admin:s3cret@127.0.0.1:1"], {
      timeoutMs: 20_000,
    })
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toContain("cannot reach Redis at redis://admin:***@127.0.0.1:1")
    expect(result.stderr).not.toContain("s3cret")
  })
})
