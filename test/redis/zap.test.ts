import { afterEach, describe, expect, it } from "vitest"
import { curveKeyPair } from "zeromq"
import {
  Authenticator,
  ZapHandler,
  z85,
  type CredentialStore,
  type CredentialVerdict,
  type ZapReply,
  type ZapRequest,
} from "@zmq-auth/core"
import { nextEvent, openStore, useRedisServer } from "../helpers/redis-store.js"
import { attemptHandshake, startServer, type TestServer } from "../helpers/sockets.js"

/**
 * Serves PLAIN and CURVE from a credential store through the engine's override point (what
 * `configureStore` will do): the verdict becomes the reply.
 */
class StoreAuthenticator extends Authenticator {
  readonly replies: ZapReply[] = []
  constructor(private readonly store: Required<Pick<CredentialStore, "checkCurveKey" | "checkPlain">>) {
    super()
  }

  override async authenticate(request: ZapRequest): Promise<ZapReply> {
    let verdict: CredentialVerdict | undefined
    if (request.mechanism === "CURVE")
      verdict = await this.store.checkCurveKey(request.domain, z85.encode(request.credentials[0]!))
    if (request.mechanism === "PLAIN")
      verdict = await this.store.checkPlain(
        request.domain,
        request.credentials[0]!.toString("utf8"),
        request.credentials[1]!
      )
    if (verdict === undefined) return super.authenticate(request)
    const full: Exclude<CredentialVerdict, boolean> =
      typeof verdict === "boolean" ? { statusCode: verdict ? 200 : 400 } : verdict
    const reply: ZapReply = {
      requestId: request.requestId,
      statusCode: full.statusCode,
      statusText: full.statusText ?? (full.statusCode === 200 ? "OK" : "Denied"),
      userId:
        full.statusCode === 200
          ? (full.userId ??
            (request.mechanism === "CURVE"
              ? z85.encode(request.credentials[0]!)
              : request.credentials[0]!.toString("utf8")))
          : "",
    }
    this.replies.push(reply)
    return reply
  }
}

const redis = useRedisServer()
let handler: ZapHandler | undefined
const servers: TestServer[] = []

afterEach(async () => {
  for (const server of servers.splice(0)) server.close()
  await handler?.stop()
  handler = undefined
})

async function serve(store: StoreAuthenticator["store"]): Promise<StoreAuthenticator> {
  const engine = new StoreAuthenticator(store)
  handler = new ZapHandler(engine)
  await handler.start()
  return engine
}

describe("RedisCredentialStore behind a real ZAP handler", () => {
  it("CURVE: an added key completes the handshake; revoked by another process, the next handshake fails", async () => {
    const store = await openStore(redis.server.url)
    const admin = await openStore(redis.server.url, { node: false })
    const engine = await serve(store)
    const server = await startServer({ mechanism: "CURVE", domain: "api" })
    servers.push(server)
    const client = curveKeyPair()
    await admin.addCurveKey("*", client.publicKey, { userId: "laptop-7" })
    expect(await attemptHandshake(server, { mechanism: "CURVE", ...client })).toBe("handshake")
    expect(engine.replies.at(-1)).toMatchObject({ statusCode: 200, userId: "laptop-7" })
    const receipt = await admin.revokeCurveKey("api", client.publicKey)
    await admin.waitForFleet(receipt)
    expect(await attemptHandshake(server, { mechanism: "CURVE", ...client })).toBe("handshake:error:auth")
    expect(engine.replies.at(-1)).toMatchObject({ statusCode: 400, statusText: "Key revoked" })
  })

  it("CURVE: a frozen Redis refuses handshakes with 300 once noticed, and they pass again after SIGCONT", async () => {
    const store = await openStore(redis.server.url)
    const engine = await serve(store)
    const server = await startServer({ mechanism: "CURVE", domain: "api" })
    servers.push(server)
    const client = curveKeyPair()
    await store.addCurveKey("api", client.publicKey)
    expect(await attemptHandshake(server, { mechanism: "CURVE", ...client })).toBe("handshake")
    const down = nextEvent(store, "store:down")
    redis.server.signal("SIGSTOP")
    await down
    expect(await attemptHandshake(server, { mechanism: "CURVE", ...client })).toBe("handshake:error:auth")
    expect(engine.replies.at(-1)).toMatchObject({ statusCode: 300, statusText: "Credential store unavailable" })
    const up = nextEvent(store, "store:up")
    redis.server.signal("SIGCONT")
    await up
    expect(await attemptHandshake(server, { mechanism: "CURVE", ...client })).toBe("handshake")
  })

  it("PLAIN: the right password completes the handshake, a wrong one and a removed user are refused", async () => {
    const store = await openStore(redis.server.url)
    const engine = await serve(store)
    const server = await startServer({ mechanism: "PLAIN", domain: "api" })
    servers.push(server)
    await store.setPassword("api", "mallory", "s3cret")
    expect(await attemptHandshake(server, { mechanism: "PLAIN", username: "mallory", password: "s3cret" })).toBe(
      "handshake"
    )
    expect(engine.replies.at(-1)).toMatchObject({ statusCode: 200, userId: "mallory" })
    expect(await attemptHandshake(server, { mechanism: "PLAIN", username: "mallory", password: "guess" })).toBe(
      "handshake:error:auth"
    )
    await store.removeUser("*", "mallory")
    expect(await attemptHandshake(server, { mechanism: "PLAIN", username: "mallory", password: "s3cret" })).toBe(
      "handshake:error:auth"
    )
    expect(engine.replies.at(-1)).toMatchObject({ statusCode: 400, statusText: "User removed" })
  })
})
