import { afterEach, describe, expect, it } from "vitest"
import { AuthenticatorError } from "@zmq-auth/core"
import { ThreadAuthenticator } from "@zmq-auth/thread"
import { attemptHandshake, startServer } from "../helpers/sockets.js"

const fixture = (name: string): URL => new URL(`../fixtures/thread/${name}`, import.meta.url)

describe("ThreadAuthenticator with a malformed answer from the worker", () => {
  let authenticator: ThreadAuthenticator | undefined
  afterEach(async () => {
    await authenticator?.stop()
  })

  // A short timeout: a configuration call left unanswered would never settle.
  it(
    "rejects the configuration call it answers, reports message:error, and keeps serving",
    { timeout: 10_000 },
    async () => {
      authenticator = new ThreadAuthenticator({ module: fixture("bad-error-name-module.mjs") })
      const reported = new Promise<AuthenticatorError>((resolve) => authenticator!.once("message:error", resolve))
      await authenticator.configurePlain("*", { admin: "secret" })
      await authenticator.start()

      const failed = authenticator.configureGssapi("bad-name")
      await expect(failed).rejects.toBeInstanceOf(AuthenticatorError)
      await expect(failed).rejects.toMatchObject({
        message: expect.stringMatching(/answer to this configuration call was malformed/),
      })
      expect((await reported).message).toMatch(/configure:failed.error.name is not a string/)
      await expect(failed).rejects.toMatchObject({ cause: await reported })

      await authenticator.configureGssapi("kerberos")
      expect(authenticator.running).toBe(true)
      const plain = await startServer({ mechanism: "PLAIN", domain: "global" })
      try {
        expect(await attemptHandshake(plain, { mechanism: "PLAIN", username: "admin", password: "secret" })).toBe(
          "handshake"
        )
      } finally {
        plain.close()
      }
    }
  )
})
