import { BroadcastChannel } from "node:worker_threads"
import { describe, expect, it } from "vitest"
import { Authenticator, AuthenticatorError, ZapHandler } from "@zmq-auth/core"
import { sendZapFrames, zapFrames } from "../helpers/sockets.js"
import { threadKit } from "./thread-kit.js"

describe("ThreadAuthenticator stop() while the worker replays the recorded policy", () => {
  const { create } = threadKit()

  it("binds nothing when the replay finishes after stop() reached the worker", async () => {
    const name = `zmq-auth-replay-until-close-${process.pid}`
    const channel = new BroadcastChannel(name)
    const replaying = new Promise<void>((resolve) => {
      channel.onmessage = () => {
        channel.close()
        resolve()
      }
    })
    const module = new URL(
      `../fixtures/thread/replay-until-close-module.mjs?channel=${encodeURIComponent(name)}`,
      import.meta.url
    )
    const authenticator = create({ module })
    await authenticator.configureGssapi("until-close")
    const started = authenticator.start()
    started.catch(() => undefined) // rejects before the test awaits it: not an unhandled rejection
    await replaying
    await authenticator.stop()
    await expect(started).rejects.toBeInstanceOf(AuthenticatorError)
    await expect(started).rejects.toThrow(/stop\(\) was called before it started/)
    expect(authenticator.running).toBe(false)
    // The endpoint is free: this thread binds it and answers, not a handler left in the worker.
    const handler = new ZapHandler(new Authenticator().configureGssapi("main"))
    await handler.start()
    try {
      const reply = await sendZapFrames(zapFrames({ mechanism: "GSSAPI", domain: "main", credentials: ["alice"] }))
      expect(reply.slice(2, 5).map(String)).toEqual(["200", "OK", "alice"])
    } finally {
      await handler.stop()
    }
  })
})
