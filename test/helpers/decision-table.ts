import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import {
  createCertificates,
  CURVE_ALLOW_ANY,
  loadCertificate,
  type DecisionEvent,
  type StatusCode,
} from "@zmq-auth/core"
import { ZapClient } from "../fuzz/zap-client.js"
import type { AdapterUnderTest, ServedEngine, ServeOptions } from "./adapter.js"
import {
  attemptHandshake,
  newClientKeys,
  sendZapFrames,
  startServer,
  zapFrames,
  type ClientSpec,
  type HandshakeOutcome,
  type ServerSpec,
  type TestServer,
} from "./sockets.js"

interface Expected {
  outcome: HandshakeOutcome
  statusCode: StatusCode
  statusText: string
  userId?: string
}

const ALLOWED = (userId: string): Expected => ({ outcome: "handshake", statusCode: 200, statusText: "OK", userId })
const DENIED = (statusText: string): Expected => ({ outcome: "handshake:error:auth", statusCode: 400, statusText })
const FAILED: Expected = { outcome: "handshake:error:auth", statusCode: 500, statusText: "Internal error" }

/**
 * The decision rows of API.md, each a real handshake over tcp 127.0.0.1 (or raw ZAP frames
 * where libzmq cannot produce the request), run against one adapter. Every adapter runs this.
 */
export function runDecisionTable(adapter: AdapterUnderTest): void {
  describe(`decision table (${adapter.name} adapter)`, () => {
    let served: ServedEngine | undefined
    const servers: TestServer[] = []
    let certificateDir = ""

    beforeAll(async () => {
      certificateDir = await mkdtemp(join(tmpdir(), "zmq-auth-table-"))
    })
    afterAll(async () => {
      await rm(certificateDir, { recursive: true, force: true })
    })
    afterEach(async () => {
      for (const server of servers.splice(0)) server.close()
      await served?.stop()
      served = undefined
    })

    async function serve(options?: ServeOptions): Promise<ServedEngine> {
      served = await adapter.serve(options)
      return served
    }

    async function server(spec: ServerSpec): Promise<TestServer> {
      const started = await startServer(spec)
      servers.push(started)
      return started
    }

    async function check(target: TestServer, client: ClientSpec, expected: Expected): Promise<DecisionEvent> {
      const outcome = await attemptHandshake(target, client)
      const decision = await served!.nextDecision()
      expect({ outcome, statusCode: decision.reply.statusCode, statusText: decision.reply.statusText }).toEqual({
        outcome: expected.outcome,
        statusCode: expected.statusCode,
        statusText: expected.statusText,
      })
      expect(decision.reply.userId).toBe(expected.userId ?? "")
      return decision
    }

    async function zap(
      fields: Parameters<typeof zapFrames>[0]
    ): Promise<{ statusCode: string; statusText: string; userId: string; requestId: string }> {
      const frames = await sendZapFrames(zapFrames(fields))
      const [version, requestId, statusCode, statusText, userId] = frames
      expect(version?.toString()).toBe("1.0")
      expect(frames, "version, request id, status code and text, user id, metadata").toHaveLength(6)
      return {
        statusCode: statusCode!.toString(),
        statusText: statusText!.toString(),
        userId: userId!.toString(),
        requestId: requestId!.toString(),
      }
    }

    describe("row 1: malformed requests", () => {
      it("answers fewer than 6 frames with 400 Not enough frames", async () => {
        await serve()
        const reply = await sendZapFrames([
          Buffer.from("1.0"),
          Buffer.from("r5"),
          Buffer.from(""),
          Buffer.from("127.0.0.1"),
        ])
        expect(reply.map(String).slice(0, 4)).toEqual(["1.0", "r5", "400", "Not enough frames"])
      })
      it("drops a request without a request id and keeps serving", async () => {
        await serve()
        const client = new ZapClient()
        try {
          // One DEALER, one pipe: the handler reads both in order, so an answer to the first
          // would reach the client before the answer to the second.
          await client.send([Buffer.from("1.0")])
          await client.send(zapFrames({ requestId: "after", mechanism: "NULL" }))
          const reply = await client.receive()
          expect([reply.requestId.toString(), reply.statusCode]).toEqual(["after", "200"])
        } finally {
          client.close()
        }
      })
      it("answers a version other than 1.0 with 400 Invalid version", async () => {
        await serve()
        expect(await zap({ version: "2.0", mechanism: "NULL" })).toMatchObject({
          statusCode: "400",
          statusText: "Invalid version",
        })
      })
      it("answers a wrong credential count with 400 Invalid credentials", async () => {
        const { engine } = await serve()
        await engine.configurePlain("*", { admin: "secret" })
        expect(await zap({ mechanism: "PLAIN", credentials: ["admin"] })).toMatchObject({
          statusCode: "400",
          statusText: "Invalid credentials",
        })
        expect(await zap({ mechanism: "CURVE", credentials: [Buffer.alloc(31)] })).toMatchObject({
          statusCode: "400",
          statusText: "Invalid credentials",
        })
        expect(await zap({ mechanism: "NULL", credentials: ["extra"] })).toMatchObject({
          statusCode: "400",
          statusText: "Invalid credentials",
        })
      })
      it("keeps deciding real handshakes after garbage", async () => {
        await serve()
        await sendZapFrames([
          Buffer.from("garbage"),
          Buffer.from("id"),
          Buffer.from("x"),
          Buffer.from("y"),
          Buffer.from("z"),
          Buffer.from("?"),
        ])
        await check(await server({ mechanism: "NULL", domain: "global" }), { mechanism: "NULL" }, ALLOWED("anonymous"))
      })
    })

    describe("row 2: address allow and deny lists", () => {
      it("denies an address missing from the allow list with Address not allowed", async () => {
        const { engine } = await serve()
        await engine.allow("192.0.2.1")
        await check(
          await server({ mechanism: "NULL", domain: "global" }),
          { mechanism: "NULL" },
          DENIED("Address not allowed")
        )
      })
      it("allows an address on the allow list", async () => {
        const { engine } = await serve()
        await engine.allow("127.0.0.1")
        await check(await server({ mechanism: "NULL", domain: "global" }), { mechanism: "NULL" }, ALLOWED("anonymous"))
      })
      it("matches the allow list by CIDR subnet", async () => {
        const { engine } = await serve()
        await engine.allow("127.0.0.0/8")
        await check(await server({ mechanism: "NULL", domain: "global" }), { mechanism: "NULL" }, ALLOWED("anonymous"))
      })
      it("denies an address on the deny list with Address denied", async () => {
        const { engine } = await serve()
        await engine.deny("127.0.0.1")
        await check(
          await server({ mechanism: "NULL", domain: "global" }),
          { mechanism: "NULL" },
          DENIED("Address denied")
        )
      })
      it("allows an address missing from the deny list", async () => {
        const { engine } = await serve()
        await engine.deny("192.0.2.1")
        await check(await server({ mechanism: "NULL", domain: "global" }), { mechanism: "NULL" }, ALLOWED("anonymous"))
      })
      it("still checks PLAIN passwords of an allow-listed address", async () => {
        const { engine } = await serve()
        await engine.allow("127.0.0.1")
        await engine.configurePlain("*", { admin: "secret" })
        await check(
          await server({ mechanism: "PLAIN", domain: "global" }),
          { mechanism: "PLAIN", username: "admin", password: "wrong" },
          DENIED("Invalid password")
        )
      })
      it("rejects deny() after allow() and allow() after deny() with ERR_AUTHENTICATOR", async () => {
        const { engine } = await serve()
        await engine.allow("127.0.0.1")
        await expect(Promise.resolve().then(() => engine.deny("192.0.2.1"))).rejects.toMatchObject({
          code: "ERR_AUTHENTICATOR",
        })
        await served!.stop()
        const second = await serve()
        await second.engine.deny("192.0.2.1")
        await expect(Promise.resolve().then(() => second.engine.allow("127.0.0.1"))).rejects.toMatchObject({
          code: "ERR_AUTHENTICATOR",
        })
      })
    })

    describe("row 3: NULL", () => {
      it("allows NULL with user id anonymous", async () => {
        await serve()
        await check(await server({ mechanism: "NULL", domain: "global" }), { mechanism: "NULL" }, ALLOWED("anonymous"))
      })
    })

    describe("row 4: PLAIN", () => {
      const admin: ClientSpec = { mechanism: "PLAIN", username: "admin", password: "secret" }
      it("allows the right password with user id = username", async () => {
        const { engine } = await serve()
        await engine.configurePlain("*", { admin: "secret" })
        await check(await server({ mechanism: "PLAIN", domain: "global" }), admin, ALLOWED("admin"))
      })
      it("denies a wrong password with Invalid password", async () => {
        const { engine } = await serve()
        await engine.configurePlain("*", { admin: "secret" })
        await check(
          await server({ mechanism: "PLAIN", domain: "global" }),
          { ...admin, password: "secreT" },
          DENIED("Invalid password")
        )
      })
      it("denies an unknown user with Invalid username", async () => {
        const { engine } = await serve()
        await engine.configurePlain("*", { admin: "secret" })
        await check(
          await server({ mechanism: "PLAIN", domain: "global" }),
          { ...admin, username: "root" },
          DENIED("Invalid username")
        )
      })
      it("denies a domain without passwords with No passwords defined", async () => {
        const { engine } = await serve()
        await engine.configurePlain("other", { admin: "secret" })
        await check(await server({ mechanism: "PLAIN", domain: "global" }), admin, DENIED("No passwords defined"))
      })
      it('uses the "*" entry for a domain without its own, the empty domain included', async () => {
        const { engine } = await serve()
        await engine.configurePlain("*", { admin: "secret" })
        await check(await server({ mechanism: "PLAIN", domain: "anything" }), admin, ALLOWED("admin"))
        await check(await server({ mechanism: "PLAIN" }), admin, ALLOWED("admin"))
      })
      it('prefers a domain\'s own entry over "*"', async () => {
        const { engine } = await serve()
        await engine.configurePlain("*", { admin: "secret" })
        await engine.configurePlain("strict", { admin: "other" })
        await check(await server({ mechanism: "PLAIN", domain: "strict" }), admin, DENIED("Invalid password"))
      })
      it("replaces a domain's table on reconfiguration", async () => {
        const { engine } = await serve()
        await engine.configurePlain("*", { admin: "secret" })
        await engine.configurePlain("*", { admin: "rotated" })
        const target = await server({ mechanism: "PLAIN", domain: "global" })
        await check(target, admin, DENIED("Invalid password"))
        await check(target, { ...admin, password: "rotated" }, ALLOWED("admin"))
      })
      it("redacts the password in decision events", async () => {
        const { engine } = await serve()
        await engine.configurePlain("*", { admin: "secret" })
        const decision = await check(await server({ mechanism: "PLAIN", domain: "global" }), admin, ALLOWED("admin"))
        expect(decision.request.credentials.map(String)).toEqual(["admin", "[redacted]"])
      })
    })

    describe("row 5: CURVE", () => {
      it("allows any key with CURVE_ALLOW_ANY, user id = the key in Z85", async () => {
        const { engine } = await serve()
        await engine.configureCurve("*", CURVE_ALLOW_ANY)
        const keys = newClientKeys()
        await check(
          await server({ mechanism: "CURVE", domain: "global" }),
          { mechanism: "CURVE", ...keys },
          ALLOWED(keys.publicKey)
        )
      })
      it("keeps CURVE_ALLOW_ANY to its own domain", async () => {
        const { engine } = await serve()
        await engine.configureCurve("open", CURVE_ALLOW_ANY)
        await check(
          await server({ mechanism: "CURVE", domain: "closed" }),
          { mechanism: "CURVE", ...newClientKeys() },
          DENIED("Unknown domain")
        )
      })
      it("allows a listed key and denies an unknown one with Unknown key", async () => {
        const { engine } = await serve()
        const known = newClientKeys()
        await engine.configureCurveKeys("*", [known.publicKey])
        const target = await server({ mechanism: "CURVE", domain: "global" })
        await check(target, { mechanism: "CURVE", ...known }, ALLOWED(known.publicKey))
        await check(target, { mechanism: "CURVE", ...newClientKeys() }, DENIED("Unknown key"))
      })
      it("denies a domain without a CURVE entry with Unknown domain", async () => {
        await serve()
        await check(
          await server({ mechanism: "CURVE", domain: "global" }),
          { mechanism: "CURVE", ...newClientKeys() },
          DENIED("Unknown domain")
        )
      })
      it("allows keys of a certificate directory", async () => {
        const { engine } = await serve()
        const { secretFile } = await createCertificates(certificateDir, `client-${adapter.name}`)
        const certificate = await loadCertificate(secretFile)
        await engine.configureCurve("certs", certificateDir)
        const client: ClientSpec = {
          mechanism: "CURVE",
          publicKey: certificate.publicKey,
          secretKey: certificate.secretKey!,
        }
        await check(await server({ mechanism: "CURVE", domain: "certs" }), client, ALLOWED(certificate.publicKey))
      })
      it("asks the key callback: true allows, false denies with Unknown key", async () => {
        const { engine } = await serve()
        const known = newClientKeys()
        const asked: string[] = []
        await engine.configureCurveCallback("*", async (domain, publicKey) => {
          asked.push(`${domain}:${publicKey}`)
          return publicKey === known.publicKey
        })
        const target = await server({ mechanism: "CURVE", domain: "global" })
        await check(target, { mechanism: "CURVE", ...known }, ALLOWED(known.publicKey))
        const stranger = newClientKeys()
        await check(target, { mechanism: "CURVE", ...stranger }, DENIED("Unknown key"))
        expect(asked).toEqual([`global:${known.publicKey}`, `global:${stranger.publicKey}`])
      })
      it("denies with 500 when the key callback throws", async () => {
        const { engine } = await serve()
        await engine.configureCurveCallback("*", () => {
          throw new Error("store down")
        })
        const decision = await check(
          await server({ mechanism: "CURVE", domain: "global" }),
          { mechanism: "CURVE", ...newClientKeys() },
          FAILED
        )
        expect(decision.error?.message).toMatch(/store down/)
      })
      it("denies with 500 when the key callback returns a non-boolean", async () => {
        const { engine } = await serve()
        await engine.configureCurveCallback("*", (() => "yes") as unknown as () => boolean)
        const decision = await check(
          await server({ mechanism: "CURVE", domain: "global" }),
          { mechanism: "CURVE", ...newClientKeys() },
          FAILED
        )
        expect(decision.error?.message).toMatch(/not a boolean/)
      })
      it("denies with 500 when the key callback exceeds callbackTimeoutMs", async () => {
        const { engine } = await serve({ callbackTimeoutMs: 100 })
        await engine.configureCurveCallback("*", () => new Promise<boolean>(() => {}))
        const decision = await check(
          await server({ mechanism: "CURVE", domain: "global" }),
          { mechanism: "CURVE", ...newClientKeys() },
          FAILED
        )
        expect(decision.error?.message).toMatch(/100 ms/)
      })
      it("takes a CredentialVerdict from the key callback: 300 try later, a user id over curveUserId's", async () => {
        const { engine } = await serve({ curveUserId: () => "mapped" })
        const known = newClientKeys()
        await engine.configureCurveCallback("*", (domain, publicKey) =>
          publicKey === known.publicKey ? { statusCode: 200, userId: `verdict:${domain}` } : { statusCode: 300 }
        )
        const target = await server({ mechanism: "CURVE", domain: "global" })
        await check(target, { mechanism: "CURVE", ...known }, ALLOWED("verdict:global"))
        await check(
          target,
          { mechanism: "CURVE", ...newClientKeys() },
          { outcome: "handshake:error:auth", statusCode: 300, statusText: "Try again later" }
        )
      })
      it("maps the user id with the curveUserId option", async () => {
        const { engine } = await serve({ curveUserId: async (publicKey) => `user-${publicKey.slice(0, 8)}` })
        await engine.configureCurve("*", CURVE_ALLOW_ANY)
        const keys = newClientKeys()
        await check(
          await server({ mechanism: "CURVE", domain: "global" }),
          { mechanism: "CURVE", ...keys },
          ALLOWED(`user-${keys.publicKey.slice(0, 8)}`)
        )
      })
      it("denies with 500 when curveUserId throws", async () => {
        const { engine } = await serve({
          curveUserId: () => {
            throw new Error("directory down")
          },
        })
        await engine.configureCurve("*", CURVE_ALLOW_ANY)
        await check(
          await server({ mechanism: "CURVE", domain: "global" }),
          { mechanism: "CURVE", ...newClientKeys() },
          FAILED
        )
      })
      it("rejects a malformed key with ERR_AUTHENTICATOR and keeps the old keys", async () => {
        const { engine } = await serve()
        const known = newClientKeys()
        await engine.configureCurveKeys("*", [known.publicKey])
        await expect(
          Promise.resolve().then(() => engine.configureCurveKeys("*", [known.publicKey, "too-short"]))
        ).rejects.toMatchObject({ code: "ERR_AUTHENTICATOR" })
        await check(
          await server({ mechanism: "CURVE", domain: "global" }),
          { mechanism: "CURVE", ...known },
          ALLOWED(known.publicKey)
        )
      })
    })

    describe("credential stores: the store's CredentialVerdict decides", () => {
      const storeModule = new URL("../fixtures/thread/store-module.mjs", import.meta.url)
      const user = (username: string, password = "x"): ClientSpec => ({ mechanism: "PLAIN", username, password })
      const serveStore = (): Promise<ServedEngine> =>
        serve({ module: storeModule, callbackTimeoutMs: 200, curveUserId: () => "mapped" })

      it("allows with the verdict's user id, given the request's domain", async () => {
        await serveStore()
        await check(
          await server({ mechanism: "PLAIN", domain: "global" }),
          user("alice", "wonderland"),
          ALLOWED("alice@global")
        )
      })
      it("denies false with Invalid password", async () => {
        await serveStore()
        await check(
          await server({ mechanism: "PLAIN", domain: "global" }),
          user("alice", "rabbit"),
          DENIED("Invalid password")
        )
      })
      it("answers 300 Try again later", async () => {
        await serveStore()
        await check(await server({ mechanism: "PLAIN", domain: "global" }), user("busy"), {
          outcome: "handshake:error:auth",
          statusCode: 300,
          statusText: "Try again later",
        })
      })
      it("denies a 400 verdict with its status text", async () => {
        await serveStore()
        await check(await server({ mechanism: "PLAIN", domain: "global" }), user("locked"), DENIED("Account locked"))
      })
      it("denies a malformed verdict with 500", async () => {
        await serveStore()
        const decision = await check(await server({ mechanism: "PLAIN", domain: "global" }), user("malformed"), FAILED)
        expect(decision.error?.message).toMatch(/userId is not a string/)
      })
      it("denies a store that throws with 500, the password in neither the event nor the error", async () => {
        await serveStore()
        const decision = await check(
          await server({ mechanism: "PLAIN", domain: "global" }),
          user("thrower", "pa55word"),
          FAILED
        )
        expect(decision.error?.message).toMatch(/database down/)
        expect(
          JSON.stringify({ message: decision.error?.message, credentials: decision.request.credentials.map(String) })
        ).not.toContain("pa55word")
      })
      it("denies a store that hangs with 500 after callbackTimeoutMs and aborts its signal", async () => {
        const engine = await serveStore()
        await check(await server({ mechanism: "PLAIN", domain: "global" }), user("hanger"), FAILED)
        const [error] = await engine.storeEvent("store:error")
        expect((error as Error).message).toMatch(/check of hanger aborted: .*200 ms/)
      })
      it("lets a CURVE verdict's user id replace curveUserId's", async () => {
        await serveStore()
        const keys = newClientKeys()
        await check(
          await server({ mechanism: "CURVE", domain: "global" }),
          { mechanism: "CURVE", ...keys },
          ALLOWED(`store:global:${keys.publicKey.slice(0, 8)}`)
        )
      })
      it("gives the PLAIN role back to a later configurePlain, keeping the store for CURVE", async () => {
        const { engine } = await serveStore()
        await engine.configurePlain("*", { alice: "other" })
        await check(await server({ mechanism: "PLAIN", domain: "global" }), user("alice", "other"), ALLOWED("alice"))
        const keys = newClientKeys()
        await check(
          await server({ mechanism: "CURVE", domain: "global" }),
          { mechanism: "CURVE", ...keys },
          ALLOWED(`store:global:${keys.publicKey.slice(0, 8)}`)
        )
      })
    })

    describe("rows 6 and 7: GSSAPI and unknown mechanisms", () => {
      it("allows GSSAPI with user id = principal when configured", async () => {
        const { engine } = await serve()
        await engine.configureGssapi()
        expect(await zap({ mechanism: "GSSAPI", domain: "global", credentials: ["alice@EXAMPLE.COM"] })).toMatchObject({
          statusCode: "200",
          userId: "alice@EXAMPLE.COM",
        })
      })
      it("denies GSSAPI for a domain not configured for it", async () => {
        const { engine } = await serve()
        await engine.configureGssapi("kerberos")
        expect(await zap({ mechanism: "GSSAPI", domain: "global", credentials: ["alice@EXAMPLE.COM"] })).toMatchObject({
          statusCode: "400",
          userId: "",
        })
      })
      it("denies any other mechanism with Unknown mechanism", async () => {
        await serve()
        expect(await zap({ mechanism: "KERBEROS5" })).toMatchObject({
          statusCode: "400",
          statusText: "Unknown mechanism",
        })
      })
    })
  })
}
