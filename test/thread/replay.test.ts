import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { CertificateError, createCertificates, CURVE_ALLOW_ANY } from "@zmq-auth/core"
import { attemptHandshake, newClientKeys, sendZapFrames, zapFrames } from "../helpers/sockets.js"
import { threadKit } from "./thread-kit.js"

describe("ThreadAuthenticator replay of the recorded policy on start()", () => {
  const { create, server } = threadKit()
  let directory = ""

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "zmq-auth-thread-replay-"))
  })
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true })
  })

  it("rejects start() when a recorded call fails to replay, instead of binding a partial policy", async () => {
    const engine = create()
    const certificates = await mkdtemp(join(directory, "secure-"))
    await createCertificates(certificates, "client")
    await engine.configureCurve("*", CURVE_ALLOW_ANY)
    await engine.configureCurve("secure", certificates)
    await rm(certificates, { recursive: true })
    const starting = engine.start()
    await expect(starting).rejects.toBeInstanceOf(CertificateError)
    await expect(starting).rejects.toMatchObject({ code: "ERR_CERTIFICATE", file: certificates })
    expect(engine.running).toBe(false)
    // Nothing answers ZAP: the domain that lost its keys is not left to "*"'s allow-any.
    const secure = await server({ mechanism: "CURVE", domain: "secure" })
    expect(await attemptHandshake(secure, { mechanism: "CURVE", ...newClientKeys() })).not.toBe("handshake")
  })

  it("starts with every recorded call once the failing one is replaced", async () => {
    const engine = create()
    const certificates = await mkdtemp(join(directory, "secure-"))
    await createCertificates(certificates, "client")
    const known = newClientKeys()
    await engine.configureCurve("*", CURVE_ALLOW_ANY)
    await engine.configureCurve("secure", certificates)
    await rm(certificates, { recursive: true })
    await expect(engine.start()).rejects.toBeInstanceOf(CertificateError)
    await engine.configureCurveKeys("secure", [known.publicKey])
    await engine.start()
    const secure = await server({ mechanism: "CURVE", domain: "secure" })
    expect(await attemptHandshake(secure, { mechanism: "CURVE", ...newClientKeys() })).toBe("handshake:error:auth")
    expect(await attemptHandshake(secure, { mechanism: "CURVE", ...known })).toBe("handshake")
    const other = await server({ mechanism: "CURVE", domain: "other" })
    expect(await attemptHandshake(other, { mechanism: "CURVE", ...newClientKeys() })).toBe("handshake")
  })

  it("replays configureGssapi: its domain allows GSSAPI principals, other domains still deny them", async () => {
    const engine = create()
    await engine.configureGssapi("kerberos")
    await engine.start()
    const principal = "alice@EXAMPLE.COM"
    const allowed = await sendZapFrames(
      zapFrames({ mechanism: "GSSAPI", domain: "kerberos", credentials: [principal] })
    )
    expect(allowed.slice(2, 5).map(String)).toEqual(["200", "OK", principal])
    const denied = await sendZapFrames(zapFrames({ mechanism: "GSSAPI", domain: "other", credentials: [principal] }))
    expect(denied.slice(2, 5).map(String)).toEqual(["400", "Unknown domain", ""])
  })
})
