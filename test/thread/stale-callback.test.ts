import { describe, expect, it } from "vitest"
import { collectDecisions } from "../helpers/adapter.js"
import { attemptHandshake, newClientKeys } from "../helpers/sockets.js"
import { threadKit } from "./thread-kit.js"

/** A CURVE key callback whose answers the test gives by hand, one call at a time. */
function heldCallback() {
  const calls: Array<{ publicKey: string; answer: (allowed: boolean) => void }> = []
  const waiters: Array<() => void> = []
  return {
    calls,
    callback: (_domain: string, publicKey: string) =>
      new Promise<boolean>((answer) => {
        calls.push({ publicKey, answer })
        for (const wake of waiters.splice(0)) wake()
      }),
    /** Resolves once the callback was called `count` times. */
    async called(count: number): Promise<void> {
      while (calls.length < count) await new Promise<void>((wake) => waiters.push(wake))
    },
  }
}

describe("ThreadAuthenticator main-thread key callbacks across a restart", () => {
  const { create, server } = threadKit()

  it("drops the answer of a callback replaced during stop(): it never decides the next worker's requests", async () => {
    const engine = create({ callbackTimeoutMs: 1_000 })
    const { nextDecision } = collectDecisions(engine)
    const old = heldCallback()
    const replacement = heldCallback()
    await engine.configureCurveCallback("*", old.callback)
    await engine.start()
    const secure = await server({ mechanism: "CURVE", domain: "global" })

    const first = attemptHandshake(secure, { mechanism: "CURVE", ...newClientKeys() })
    await old.called(1)
    const stopping = engine.stop()
    await engine.configureCurveCallback("*", replacement.callback)
    await stopping
    expect(await first).toBe("handshake:error:auth")
    expect((await nextDecision()).reply.statusCode).toBe(500)

    await engine.start()
    const intruder = newClientKeys()
    const second = attemptHandshake(secure, { mechanism: "CURVE", ...intruder })
    await replacement.called(1)
    // The old callback settles "allow" while the next worker waits for the replacement's answer:
    // both answers travel in this order, and only the replacement's may decide.
    old.calls[0]!.answer(true)
    replacement.calls[0]!.answer(false)
    expect(await second).toBe("handshake:error:auth")
    const decision = await nextDecision()
    expect([decision.reply.statusCode, replacement.calls[0]!.publicKey]).toEqual([400, intruder.publicKey])
    expect(old.calls).toHaveLength(1)
  })
})
