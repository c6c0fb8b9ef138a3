import { afterEach, describe, expect, it } from "vitest"
import { CURVE_ALLOW_ANY, type ZapRequest } from "@zmq-auth/core"
import { ThreadAuthenticator } from "@zmq-auth/thread"
import { collectDecisions } from "../helpers/adapter.js"
import { attemptHandshake, newClientKeys, startServer, type TestServer } from "../helpers/sockets.js"

const fixture = (name: string): URL => new URL(`../fixtures/thread/${name}`, import.meta.url)

describe("ThreadAuthenticator user-id mapping and key callbacks", () => {
  const cleanups: Array<() => Promise<void> | void> = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })

  async function served(options?: ConstructorParameters<typeof ThreadAuthenticator>[0]) {
    const authenticator = new ThreadAuthenticator(options)
    const decisions = collectDecisions(authenticator)
    cleanups.push(() => authenticator.stop())
    const server = await startServer({ mechanism: "CURVE", domain: "global" })
    cleanups.push(() => server.close())
    return { authenticator, ...decisions, server }
  }

  async function handshake(server: TestServer, keys = newClientKeys()) {
    return { keys, outcome: await attemptHandshake(server, { mechanism: "CURVE", ...keys }) }
  }

  it("maps user ids in the worker with a module's Authenticator subclass", async () => {
    for (const module of [fixture("user-id-module.mjs"), fixture("user-id-module.mjs").href]) {
      const { authenticator, server, nextDecision } = await served({ module })
      await authenticator.configureCurve("*", CURVE_ALLOW_ANY)
      await authenticator.start()
      const { keys, outcome } = await handshake(server)
      expect(outcome).toBe("handshake")
      const decision = await nextDecision()
      expect(decision.reply).toMatchObject({ statusCode: 200, userId: `module:global:${keys.publicKey.slice(0, 8)}` })
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
    }
  })

  it("maps user ids on the main thread with the curveUserId option, given the request", async () => {
    const seen: ZapRequest[] = []
    const { authenticator, server, nextDecision } = await served({
      curveUserId: async (publicKey, request) => {
        seen.push(request)
        return `main:${publicKey.slice(0, 8)}`
      },
    })
    await authenticator.configureCurve("*", CURVE_ALLOW_ANY)
    await authenticator.start()
    const { keys, outcome } = await handshake(server)
    expect(outcome).toBe("handshake")
    expect((await nextDecision()).reply.userId).toBe(`main:${keys.publicKey.slice(0, 8)}`)
    expect(seen).toHaveLength(1)
    expect(seen[0]).toMatchObject({ domain: "global", mechanism: "CURVE", address: "127.0.0.1" })
    expect(Buffer.isBuffer(seen[0]!.credentials[0])).toBe(true)
  })

  it("asks a main-thread key callback: true allows, false denies, throw and hang deny with 500", async () => {
    const { authenticator, server, nextDecision } = await served({ callbackTimeoutMs: 200 })
    const allowed = newClientKeys()
    const denied = newClientKeys()
    const throwing = newClientKeys()
    const hanging = newClientKeys()
    const asked: string[] = []
    await authenticator.configureCurveCallback("*", (domain, publicKey) => {
      asked.push(publicKey)
      if (publicKey === allowed.publicKey) return true
      if (publicKey === denied.publicKey) return Promise.resolve(false)
      if (publicKey === throwing.publicKey) throw new Error("key store down")
      return new Promise<boolean>(() => {})
    })
    await authenticator.start()

    expect((await handshake(server, allowed)).outcome).toBe("handshake")
    expect((await nextDecision()).reply).toMatchObject({ statusCode: 200, userId: allowed.publicKey })
    expect((await handshake(server, denied)).outcome).toBe("handshake:error:auth")
    expect((await nextDecision()).reply).toMatchObject({ statusCode: 400, statusText: "Unknown key" })
    expect((await handshake(server, throwing)).outcome).toBe("handshake:error:auth")
    const thrown = await nextDecision()
    expect(thrown.reply).toMatchObject({ statusCode: 500, statusText: "Internal error" })
    expect(thrown.error?.message).toMatch(/key store down/)
    expect((await handshake(server, hanging)).outcome).toBe("handshake:error:auth")
    const hung = await nextDecision()
    expect(hung.reply).toMatchObject({ statusCode: 500, statusText: "Internal error" })
    expect(hung.error).toMatchObject({ code: "ERR_AUTHENTICATOR", message: expect.stringMatching(/200 ms/) })
    expect(asked).toEqual([allowed.publicKey, denied.publicKey, throwing.publicKey, hanging.publicKey])
  })

  it("replaces a key callback atomically: the new one decides, the old one is no longer asked", async () => {
    const { authenticator, server } = await served()
    const asked: string[] = []
    await authenticator.configureCurveCallback("*", () => {
      asked.push("old")
      return true
    })
    await authenticator.start()
    expect((await handshake(server)).outcome).toBe("handshake")
    await authenticator.configureCurveCallback("*", () => {
      asked.push("new")
      return false
    })
    expect((await handshake(server)).outcome).toBe("handshake:error:auth")
    expect(asked).toEqual(["old", "new"])
  })

  it("keeps main-thread callbacks across a restart", async () => {
    const { authenticator, server } = await served()
    const known = newClientKeys()
    await authenticator.configureCurveCallback("*", (_, publicKey) => publicKey === known.publicKey)
    await authenticator.start()
    await authenticator.stop()
    await authenticator.start()
    expect((await handshake(server, known)).outcome).toBe("handshake")
    expect((await handshake(server)).outcome).toBe("handshake:error:auth")
  })
})
