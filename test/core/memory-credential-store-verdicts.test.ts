import { afterEach, describe, expect, it, vi } from "vitest"
import { curveKeyPair } from "zeromq"
import { Authenticator, MemoryCredentialStore, type CredentialCheck } from "@zmq-auth/core"
import { curveRequest } from "../helpers/zap-request.js"

const NOT_AFTER = Date.UTC(2030, 0, 1)

describe("MemoryCredentialStore verdicts", () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it("admits a key until the millisecond before its notAfter and denies it from that instant on", async () => {
    vi.useFakeTimers({ toFake: ["Date"] })
    const store = new MemoryCredentialStore()
    const { publicKey } = curveKeyPair()
    await store.addCurveKey("app", publicKey, { userId: "alice", notAfter: new Date(NOT_AFTER) })
    vi.setSystemTime(NOT_AFTER - 1)
    expect(store.checkCurveKey("app", publicKey)).toEqual({ statusCode: 200, userId: "alice" })
    vi.setSystemTime(NOT_AFTER)
    expect(store.checkCurveKey("app", publicKey)).toEqual({ statusCode: 400, statusText: "Key expired" })
  })

  it("makes an Authenticator deny a CURVE handshake at the exact instant of the key's notAfter", async () => {
    vi.useFakeTimers({ toFake: ["Date"] })
    const store = new MemoryCredentialStore()
    const { publicKey } = curveKeyPair()
    await store.addCurveKey("*", publicKey, { userId: "alice", notAfter: new Date(NOT_AFTER) })
    const engine = new Authenticator().configureStore("*", store)
    vi.setSystemTime(NOT_AFTER - 1)
    expect(await engine.authenticate(curveRequest(publicKey, "app"))).toMatchObject({
      statusCode: 200,
      userId: "alice",
    })
    vi.setSystemTime(NOT_AFTER)
    expect(await engine.authenticate(curveRequest(publicKey, "app"))).toMatchObject({
      statusCode: 400,
      statusText: "Key expired",
      userId: "",
    })
  })

  it("leaves userId out of the verdict of a key added without one", async () => {
    const store = new MemoryCredentialStore()
    const { publicKey } = curveKeyPair()
    await store.addCurveKey("app", publicKey)
    const verdict = store.checkCurveKey("app", publicKey)
    expect(verdict).toStrictEqual({ statusCode: 200 })
    expect(Object.keys(verdict as object)).toEqual(["statusCode"])
  })

  it("decides a check given without a signal as one given none", async () => {
    const store = new MemoryCredentialStore()
    const { publicKey } = curveKeyPair()
    await store.addCurveKey("app", publicKey, { userId: "alice" })
    await store.setPassword("app", "bob", "secret")
    const check = {} as CredentialCheck
    expect(store.checkCurveKey("app", publicKey, check)).toEqual({ statusCode: 200, userId: "alice" })
    expect(store.checkPlain("app", "bob", Buffer.from("secret"), check)).toEqual({ statusCode: 200, userId: "bob" })
  })
})
