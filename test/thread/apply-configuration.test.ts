import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  Authenticator,
  AuthenticatorError,
  CertificateError,
  createCertificates,
  loadCertificate,
  parseZapRequest,
  z85,
  type CurveKeyCallback,
} from "@zmq-auth/core"
import { applyConfiguration, type ConfigurableEngine } from "../../packages/thread/src/apply-configuration.js"
import type { ConfigurationCall } from "../../packages/thread/src/messages.js"
import { newClientKeys, zapFrames } from "../helpers/sockets.js"

type RequestFields = Parameters<typeof zapFrames>[0]

/** Status code, status text and user id `engine` answers the request with `fields`. */
async function decide(engine: Authenticator, fields: RequestFields): Promise<[number, string, string]> {
  const reply = await engine.authenticate(parseZapRequest(zapFrames(fields)))
  return [reply.statusCode, reply.statusText, reply.userId]
}

const nullFrom = (address: string): RequestFields => ({ mechanism: "NULL", domain: "d", address })
const plain = (domain: string, username: string, password: string): RequestFields => ({
  mechanism: "PLAIN",
  domain,
  credentials: [username, password],
})
const curve = (domain: string, publicKey: string): RequestFields => ({
  mechanism: "CURVE",
  domain,
  credentials: [z85.decode(publicKey)],
})

const noCallbacks = (callbackId: number): CurveKeyCallback => {
  throw new Error(`no callback ${callbackId} expected`)
}

/** Applies `call` to a fresh engine and returns the engine. */
async function configured(call: ConfigurationCall, callbackFor = noCallbacks): Promise<Authenticator> {
  const engine = new Authenticator()
  await applyConfiguration(engine, call, callbackFor)
  return engine
}

describe("applyConfiguration, as the worker replays calls, on a real Authenticator", () => {
  let directory = ""
  let certified = ""
  let certifiedKey = ""

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "zmq-auth-apply-configuration-"))
    certified = await mkdtemp(join(directory, "certificates-"))
    const { publicFile } = await createCertificates(certified, "client")
    certifiedKey = (await loadCertificate(publicFile)).publicKey
  })
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true })
  })

  it("allow: the listed addresses pass, the others are denied as not allowed", async () => {
    const engine = await configured({ method: "allow", addresses: ["10.0.0.1", "192.168.7.0/24"] })
    expect(await decide(engine, nullFrom("10.0.0.1"))).toEqual([200, "OK", "anonymous"])
    expect(await decide(engine, nullFrom("192.168.7.9"))).toEqual([200, "OK", "anonymous"])
    expect(await decide(engine, nullFrom("10.0.0.2"))).toEqual([400, "Address not allowed", ""])
  })

  it("deny: the listed addresses are denied, the others pass", async () => {
    const engine = await configured({ method: "deny", addresses: ["10.0.0.1", "192.168.7.0/24"] })
    expect(await decide(engine, nullFrom("10.0.0.1"))).toEqual([400, "Address denied", ""])
    expect(await decide(engine, nullFrom("192.168.7.9"))).toEqual([400, "Address denied", ""])
    expect(await decide(engine, nullFrom("10.0.0.2"))).toEqual([200, "OK", "anonymous"])
  })

  it("configurePlain: the domain's users with their passwords, nobody in another domain", async () => {
    const engine = await configured({ method: "configurePlain", domain: "app", passwords: { admin: "secret" } })
    expect(await decide(engine, plain("app", "admin", "secret"))).toEqual([200, "OK", "admin"])
    expect(await decide(engine, plain("app", "admin", "wrong"))).toEqual([400, "Invalid password", ""])
    expect(await decide(engine, plain("other", "admin", "secret"))).toEqual([400, "No passwords defined", ""])
  })

  it("configureCurve with a directory: the keys of its certificates only", async () => {
    const engine = await configured({ method: "configureCurve", domain: "secure", location: certified })
    expect(await decide(engine, curve("secure", certifiedKey))).toEqual([200, "OK", certifiedKey])
    expect(await decide(engine, curve("secure", newClientKeys().publicKey))).toEqual([400, "Unknown key", ""])
    expect(await decide(engine, curve("other", certifiedKey))).toEqual([400, "Unknown domain", ""])
  })

  it("configureCurve without a location: CURVE_ALLOW_ANY for that domain only", async () => {
    const engine = await configured({ method: "configureCurve", domain: "open", location: null })
    const { publicKey } = newClientKeys()
    expect(await decide(engine, curve("open", publicKey))).toEqual([200, "OK", publicKey])
    expect(await decide(engine, curve("other", publicKey))).toEqual([400, "Unknown domain", ""])
  })

  it("configureCurve passes its options to the engine", async () => {
    const call: ConfigurationCall = {
      method: "configureCurve",
      domain: "secure",
      location: certified,
      options: { watch: "yes" as never },
    }
    const failure = configured(call)
    await expect(failure).rejects.toBeInstanceOf(AuthenticatorError)
    await expect(failure).rejects.toThrow("watch must be a boolean, got string")
  })

  it("configureCurveKeys: the listed keys, as Z85 text or 32 bytes", async () => {
    const text = newClientKeys().publicKey
    const bytes = newClientKeys().publicKey
    const engine = await configured({ method: "configureCurveKeys", domain: "keys", keys: [text, z85.decode(bytes)] })
    expect(await decide(engine, curve("keys", text))).toEqual([200, "OK", text])
    expect(await decide(engine, curve("keys", bytes))).toEqual([200, "OK", bytes])
    expect(await decide(engine, curve("keys", newClientKeys().publicKey))).toEqual([400, "Unknown key", ""])
  })

  it("configureCurveCallback: the callback that callbackFor gives for the call's callback id decides", async () => {
    const known = newClientKeys().publicKey
    const asked: Array<[string, string]> = []
    const wanted: number[] = []
    const callback: CurveKeyCallback = (domain, publicKey) => {
      asked.push([domain, publicKey])
      return publicKey === known
    }
    const engine = await configured({ method: "configureCurveCallback", domain: "called", callbackId: 7 }, (id) => {
      wanted.push(id)
      return callback
    })
    expect(wanted).toEqual([7])
    const stranger = newClientKeys().publicKey
    expect(await decide(engine, curve("called", known))).toEqual([200, "OK", known])
    expect(await decide(engine, curve("called", stranger))).toEqual([400, "Unknown key", ""])
    expect(await decide(engine, curve("other", known))).toEqual([400, "Unknown domain", ""])
    expect(asked).toEqual([
      ["called", known],
      ["called", stranger],
    ])
  })

  it("configureGssapi: the domain's GSSAPI principals pass, another domain's do not", async () => {
    const engine = await configured({ method: "configureGssapi", domain: "kerberos" })
    const principal = "alice@EXAMPLE.COM"
    const gssapi = (domain: string): RequestFields => ({ mechanism: "GSSAPI", domain, credentials: [principal] })
    expect(await decide(engine, gssapi("kerberos"))).toEqual([200, "OK", principal])
    expect((await decide(engine, gssapi("other")))[0]).toBe(400)
  })

  it("rejects with the engine's typed error, leaving the policy in force", async () => {
    const engine = await configured({ method: "allow", addresses: ["10.0.0.1"] })
    const denied = applyConfiguration(engine, { method: "deny", addresses: ["10.0.0.2"] }, noCallbacks)
    await expect(denied).rejects.toBeInstanceOf(AuthenticatorError)
    await expect(denied).rejects.toThrow("deny() after allow(): use an allow list or a deny list, not both")
    expect(await decide(engine, nullFrom("10.0.0.2"))).toEqual([400, "Address not allowed", ""])

    const known = newClientKeys().publicKey
    await applyConfiguration(engine, { method: "configureCurveKeys", domain: "keys", keys: [known] }, noCallbacks)
    const badKey = applyConfiguration(
      engine,
      { method: "configureCurveKeys", domain: "keys", keys: ["S".repeat(39)] },
      noCallbacks
    )
    await expect(badKey).rejects.toBeInstanceOf(AuthenticatorError)
    const curveFrom = (publicKey: string): RequestFields => ({ ...curve("keys", publicKey), address: "10.0.0.1" })
    expect(await decide(engine, curveFrom(known))).toEqual([200, "OK", known])

    const missing = join(directory, "missing")
    const unreadable = applyConfiguration(
      engine,
      { method: "configureCurve", domain: "keys", location: missing },
      noCallbacks
    )
    await expect(unreadable).rejects.toBeInstanceOf(CertificateError)
    await expect(unreadable).rejects.toMatchObject({ code: "ERR_CERTIFICATE", file: missing })
    expect(await decide(engine, curveFrom(known))).toEqual([200, "OK", known])
  })
})

describe("applyConfiguration on an engine whose methods return promises", () => {
  const calls: ConfigurationCall[] = [
    { method: "allow", addresses: ["10.0.0.1"] },
    { method: "deny", addresses: ["10.0.0.1"] },
    { method: "configurePlain", domain: "app", passwords: { admin: "secret" } },
    { method: "configureCurve", domain: "secure", location: null },
    { method: "configureCurveKeys", domain: "keys", keys: [] },
    { method: "configureCurveCallback", domain: "called", callbackId: 1 },
    { method: "configureGssapi", domain: "kerberos" },
  ]

  /** An engine whose methods apply the call to `inner` one turn of the event loop later, then log it. */
  function deferredEngine(inner: Authenticator, log: string[]): ConfigurableEngine {
    const later =
      (method: ConfigurationCall["method"]) =>
      (...args: unknown[]): Promise<void> =>
        new Promise((resolve, reject) => {
          setImmediate(() => {
            Promise.resolve()
              .then(() => (inner[method] as (...args: unknown[]) => unknown).apply(inner, args))
              .then(() => {
                log.push(method)
                resolve()
              }, reject)
          })
        })
    return Object.fromEntries(calls.map(({ method }) => [method, later(method)])) as ConfigurableEngine
  }

  it("settles each call only once the engine's promise has", async () => {
    for (const call of calls) {
      const log: string[] = []
      await applyConfiguration(deferredEngine(new Authenticator(), log), call, () => () => true)
      log.push("applied")
      expect(log).toEqual([call.method, "applied"])
    }
  })

  it("rejects with the error the engine's promise rejects with", async () => {
    const inner = new Authenticator().allow("10.0.0.1")
    const failure = applyConfiguration(
      deferredEngine(inner, []),
      { method: "deny", addresses: ["10.0.0.2"] },
      noCallbacks
    )
    await expect(failure).rejects.toBeInstanceOf(AuthenticatorError)
    await expect(failure).rejects.toThrow("deny() after allow()")
  })
})
