import { readFile } from "node:fs/promises"
import { afterEach, describe, expect, it } from "vitest"
import type { Subscription } from "rxjs"
import { Authenticator } from "@zmq-auth/core"
import { zapEndpointReleased } from "@zmq-auth/rx"
import { startServer, type TestServer } from "../helpers/sockets.js"
import { attemptHandshakeOnce as attemptHandshake } from "./single-attempt.js"
import { serveWithBruteForceGuard } from "./examples/brute-force-guard.js"
import { serveLoggingDenials } from "./examples/log-denials.js"
import { serveLoopbackOnly, stopServing } from "./examples/loopback-only.js"

const EXAMPLES = ["log-denials.ts", "brute-force-guard.ts", "loopback-only.ts"]

describe("README examples", () => {
  let subscription: Subscription | undefined
  const servers: TestServer[] = []

  afterEach(async () => {
    subscription?.unsubscribe()
    for (const server of servers.splice(0)) server.close()
    await zapEndpointReleased()
  })

  async function server(mechanism: "NULL" | "PLAIN"): Promise<TestServer> {
    const started = await startServer({ mechanism, domain: "readme" })
    servers.push(started)
    return started
  }

  it.each(EXAMPLES)("the README shows %s verbatim", async (example) => {
    const readme = await readFile(new URL("../../packages/rx/README.md", import.meta.url), "utf8")
    const source = await readFile(new URL(`./examples/${example}`, import.meta.url), "utf8")
    expect(readme).toContain("```ts\n" + source + "```")
  })

  it("logs denials, not successes", async () => {
    const lines: string[] = []
    subscription = serveLoggingDenials(new Authenticator().configurePlain("*", { admin: "secret" }), (line) =>
      lines.push(line)
    )
    const plain = await server("PLAIN")
    expect(await attemptHandshake(plain, { mechanism: "PLAIN", username: "admin", password: "secret" })).toBe(
      "handshake"
    )
    expect(await attemptHandshake(plain, { mechanism: "PLAIN", username: "admin", password: "guess" })).toBe(
      "handshake:error:auth"
    )
    expect(lines).toEqual([
      expect.stringMatching(/^PLAIN from 127\.0\.0\.1 denied: 400 Invalid password \(\d+\.\d ms\)$/),
    ])
    expect(lines.join()).not.toContain("guess")
  })

  it("guards against PLAIN brute force", async () => {
    const lines: string[] = []
    const engine = new Authenticator().configurePlain("*", { admin: "secret" })
    subscription = serveWithBruteForceGuard(engine, { maxFailures: 2, log: (line) => lines.push(line) })
    const plain = await server("PLAIN")
    const attempt = (password: string) => attemptHandshake(plain, { mechanism: "PLAIN", username: "admin", password })
    expect(await attempt("guess")).toBe("handshake:error:auth")
    expect(await attempt("guess")).toBe("handshake:error:auth")
    expect(await attempt("secret")).toBe("handshake:error:auth")
    expect(lines).toEqual(["blocked PLAIN brute force from 127.0.0.1"])
  })

  it("decides by hand: loopback NULL clients only", async () => {
    subscription = serveLoopbackOnly()
    expect(await attemptHandshake(await server("NULL"), { mechanism: "NULL" })).toBe("handshake")
    expect(
      await attemptHandshake(await server("PLAIN"), { mechanism: "PLAIN", username: "admin", password: "secret" })
    ).toBe("handshake:error:auth")
    await stopServing(subscription)
  })
})
