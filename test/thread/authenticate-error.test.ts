import { describe, expect, it } from "vitest"
import { ZapHandler, type ZapRequest } from "@zmq-auth/core"
import { attemptHandshake } from "../helpers/sockets.js"
import { threadKit } from "./thread-kit.js"

const THROWER = { mechanism: "PLAIN", username: "throw", password: "s3cret-password" } as const

/** What an `authenticate:error` listener receives, as the test compares it. */
function seen(error: Error, request: ZapRequest): { message: string; mechanism: string; credentials: string[] } {
  return { message: error.message, mechanism: request.mechanism, credentials: request.credentials.map(String) }
}

describe("authenticate:error", () => {
  const { create, server } = threadKit()

  it("carries (error, request) with the password redacted on the thread adapter, as on the promise loop", async () => {
    const plain = await server({ mechanism: "PLAIN", domain: "errors" })
    const thread = create({ module: new URL("../fixtures/thread/throwing-module.mjs", import.meta.url) })
    await thread.configurePlain("*", { throw: "s3cret-password" })
    const fromThread = new Promise<ReturnType<typeof seen>>((resolve) =>
      thread.once("authenticate:error", (error, request) => resolve(seen(error, request)))
    )
    await thread.start()
    expect(await attemptHandshake(plain, THROWER)).toBe("handshake:error:auth")
    await thread.stop()

    const loop = new ZapHandler({
      authenticate: () => {
        throw new Error("engine failed on purpose")
      },
    })
    const fromLoop = new Promise<ReturnType<typeof seen>>((resolve) =>
      loop.once("authenticate:error", (error, request) => resolve(seen(error, request)))
    )
    await loop.start()
    try {
      expect(await attemptHandshake(plain, THROWER)).toBe("handshake:error:auth")
    } finally {
      await loop.stop()
    }
    const expected = { message: "engine failed on purpose", mechanism: "PLAIN", credentials: ["throw", "[redacted]"] }
    expect(await fromThread).toEqual(expected)
    expect(await fromLoop).toEqual(expected)
  })
})
