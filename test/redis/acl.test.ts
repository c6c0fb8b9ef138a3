import { readFile } from "node:fs/promises"
import { describe, expect, it } from "vitest"
import { curveKeyPair } from "zeromq"
import { openStore, useRedisServer } from "../helpers/redis-store.js"

const redis = useRedisServer()

/** The `ACL SETUSER` lines of the README's Fleets section, as a reader would paste them. */
async function readmeAclLines(): Promise<string[][]> {
  const readme = await readFile(new URL("../../README.md", import.meta.url), "utf8")
  return readme
    .split("\n")
    .filter((line) => line.startsWith("ACL SETUSER "))
    .map((line) => line.split(" "))
}

describe("the README's Redis ACL users", () => {
  it("let a server decide and acknowledge, not change credentials, and an admin change and list them", async () => {
    const lines = await readmeAclLines()
    expect(lines).toHaveLength(2)
    for (const line of lines) expect((await redis.server.cli(...line)).trim()).toBe("OK")
    const at = (user: string, password: string): string =>
      redis.server.url.replace("redis://", `redis://${user}:${password}@`)
    const admin = await openStore(at("zmq-auth-admin", "admin-password"), { node: false })
    const server = await openStore(at("zmq-auth-server", "server-password"), { node: "acl-server" })
    expect([admin.state, server.state]).toEqual(["up", "up"])

    const client = curveKeyPair().publicKey
    expect(await admin.waitForFleet(await admin.addCurveKey("*", client), { timeoutMs: 5000 })).toMatchObject({
      applied: ["acl-server"],
      pending: [],
    })
    expect(await server.checkCurveKey("*", client)).toEqual({ statusCode: 200 })
    await admin.setPassword("*", "erin", "correct horse")
    expect(await server.checkPlain("*", "erin", Buffer.from("correct horse"))).toEqual({
      statusCode: 200,
      userId: "erin",
    })
    expect((await admin.listCredentials()).map((listing) => listing.kind)).toEqual(["curve", "user"])
    expect((await admin.fleetStatus()).nodes).toEqual([
      { node: "acl-server", generation: server.appliedGeneration, lag: 0 },
    ])

    await expect(server.revokeCurveKey("*", client)).rejects.toThrow(/did not confirm/)
    expect(await server.checkCurveKey("*", client)).toEqual({ statusCode: 200 })
  })
})
