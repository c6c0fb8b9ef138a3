import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { AuthenticatorError, CertificateError } from "@zmq-auth/core"
import { checkCertificateDirectory, checkConfiguration } from "../../packages/thread/src/configuration-check.js"
import type { ConfigurationCall } from "../../packages/thread/src/messages.js"

/** `listed` for a recorded policy holding the given lists. */
const holding =
  (...lists: Array<"allow" | "deny">) =>
  (list: "allow" | "deny"): boolean =>
    lists.includes(list)

/** The error `checkConfiguration(call, listed)` throws. */
function rejection(call: ConfigurationCall, listed = holding()): unknown {
  try {
    checkConfiguration(call, listed)
  } catch (error) {
    return error
  }
  throw new Error(`${call.method} was accepted`)
}

describe("checkConfiguration: a call made while no worker runs, checked by the engine's validators", () => {
  it("rejects deny() when an allow list is recorded, with the engine's message", () => {
    const error = rejection({ method: "deny", addresses: ["192.0.2.1"] }, holding("allow"))
    expect(error).toBeInstanceOf(AuthenticatorError)
    expect(error).toMatchObject({ message: "deny() after allow(): use an allow list or a deny list, not both" })
  })

  it("rejects allow() when a deny list is recorded, with the engine's message", () => {
    const error = rejection({ method: "allow", addresses: ["192.0.2.1"] }, holding("deny"))
    expect(error).toBeInstanceOf(AuthenticatorError)
    expect(error).toMatchObject({ message: "allow() after deny(): use an allow list or a deny list, not both" })
  })

  it("accepts more of the list already recorded", () => {
    expect(() => checkConfiguration({ method: "deny", addresses: ["192.0.2.1"] }, holding("deny"))).not.toThrow()
    expect(() => checkConfiguration({ method: "allow", addresses: ["192.0.2.1"] }, holding("allow"))).not.toThrow()
  })

  it("rejects a watch option that is not a boolean, naming its type", () => {
    const call = {
      method: "configureCurve",
      domain: "app",
      location: "certificates",
      options: { watch: "yes" as unknown as boolean },
    } as const
    const error = rejection(call)
    expect(error).toBeInstanceOf(AuthenticatorError)
    expect(error).toMatchObject({ message: "watch must be a boolean, got string" })
  })

  it("accepts a boolean watch option", () => {
    const call = {
      method: "configureCurve",
      domain: "app",
      location: "certificates",
      options: { watch: true },
    } as const
    expect(() => checkConfiguration(call, holding())).not.toThrow()
  })

  it("rejects configureGssapi() with a domain that is not a string", () => {
    const error = rejection({ method: "configureGssapi", domain: 7 as unknown as string })
    expect(error).toBeInstanceOf(AuthenticatorError)
    expect(error).toMatchObject({ message: "a ZAP domain must be a string, got number" })
  })

  it("rejects configureCurveCallback() with a domain that is not a string", () => {
    const error = rejection({ method: "configureCurveCallback", domain: null as unknown as string, callbackId: 1 })
    expect(error).toMatchObject({ message: "a ZAP domain must be a string, got object" })
  })

  it("accepts configureGssapi() for any domain", () => {
    expect(() => checkConfiguration({ method: "configureGssapi", domain: "*" }, holding())).not.toThrow()
  })
})

describe("checkCertificateDirectory: the listing of a configureCurve directory", () => {
  let directory = ""

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "zmq-auth-configuration-check-"))
  })
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true })
  })

  it("resolves for a directory it can list", async () => {
    await expect(checkCertificateDirectory(directory)).resolves.toBeUndefined()
  })

  it("rejects a missing directory with a CertificateError naming it, the listing's error as cause", async () => {
    const missing = join(directory, "missing")
    const error: unknown = await checkCertificateDirectory(missing).catch((thrown: unknown) => thrown)
    expect(error).toBeInstanceOf(CertificateError)
    expect(error).toMatchObject({
      code: "ERR_CERTIFICATE",
      file: missing,
      message: expect.stringMatching(/: cannot list certificate directory: ENOENT/),
      cause: { code: "ENOENT", path: missing },
    })
    expect((error as CertificateError).message.startsWith(`${missing}: cannot list certificate directory: `)).toBe(true)
  })

  it("rejects a file that is not a directory", async () => {
    const file = join(directory, "server.key")
    await writeFile(file, "")
    await expect(checkCertificateDirectory(file)).rejects.toMatchObject({
      file,
      message: expect.stringMatching(/cannot list certificate directory: ENOTDIR/),
      cause: { code: "ENOTDIR" },
    })
  })
})
