import { performance } from "node:perf_hooks"
import { BroadcastChannel } from "node:worker_threads"
import { describe, expect, it } from "vitest"
import { Authenticator, AuthenticatorError, ZapHandler } from "@zmq-auth/core"
import type { ThreadAuthenticator } from "@zmq-auth/thread"
import { threadKit } from "./thread-kit.js"

/** STOP_GRACE_MS of @zmq-auth/thread: how long stop() waits beyond callbackTimeoutMs. */
const STOP_GRACE_MS = 5000
const CALLBACK_TIMEOUT_MS = 100
/** The bound stop() must keep, with room for a slow machine. */
const STOP_BOUND_MS = CALLBACK_TIMEOUT_MS + STOP_GRACE_MS + 2000

const fixture = (name: string): URL => new URL(`../fixtures/thread/${name}`, import.meta.url)
let channels = 0

/** A never-ready worker module, and a promise that resolves once the worker is stuck in it. */
function neverReady(mode: "pending" | "busy"): { module: URL; waiting: Promise<void> } {
  const name = `zmq-auth-never-ready-${process.pid}-${++channels}`
  const channel = new BroadcastChannel(name)
  const waiting = new Promise<void>((resolve) => {
    channel.onmessage = () => {
      channel.close()
      resolve()
    }
  })
  const module = fixture(`never-ready-module.mjs?mode=${mode}&channel=${encodeURIComponent(name)}`)
  return { module, waiting }
}

/** Resolves with how long `promise` took; rejects when it takes longer than `ms`. */
async function timed(promise: Promise<void>, ms: number): Promise<number> {
  const begun = performance.now()
  let guard: NodeJS.Timeout | undefined
  const overdue = new Promise<never>((_, reject) => {
    guard = setTimeout(() => reject(new Error(`stop() did not resolve within ${ms} ms`)), ms)
  })
  try {
    await Promise.race([promise, overdue])
  } finally {
    clearTimeout(guard)
  }
  return performance.now() - begun
}

describe("ThreadAuthenticator stop() while the worker never becomes ready", () => {
  const kit = threadKit()
  const create = (module: URL): ThreadAuthenticator => kit.create({ module, callbackTimeoutMs: CALLBACK_TIMEOUT_MS })

  async function expectStoppedCleanly(authenticator: ThreadAuthenticator, started: Promise<void>): Promise<void> {
    await expect(started).rejects.toBeInstanceOf(AuthenticatorError)
    await expect(started).rejects.toMatchObject({
      message: expect.stringMatching(/stop\(\) was called before it started/),
    })
    expect(authenticator.running).toBe(false)
    expect(authenticator.threadId).toBeUndefined()
    const other = new ZapHandler(new Authenticator())
    await other.start()
    await other.stop()
  }

  it("ends a worker whose createAuthenticator() never settles at once", async () => {
    const { module, waiting } = neverReady("pending")
    const authenticator = create(module)
    const started = authenticator.start()
    started.catch(() => undefined) // rejects before the test awaits it: not an unhandled rejection
    await waiting
    // The worker handles "stop" while starting: no need for the grace period.
    expect(await timed(authenticator.stop(), STOP_BOUND_MS)).toBeLessThan(STOP_GRACE_MS)
    await expectStoppedCleanly(authenticator, started)
  })

  it("ends a worker whose policy replay never settles", async () => {
    const authenticator = create(fixture("crash-module.mjs"))
    await authenticator.configureGssapi("hang") // the module's configureGssapi("hang") never settles
    const started = authenticator.start()
    started.catch(() => undefined) // rejects before the test awaits it: not an unhandled rejection
    expect(await timed(authenticator.stop(), STOP_BOUND_MS)).toBeLessThan(STOP_GRACE_MS)
    await expectStoppedCleanly(authenticator, started)
  })

  it("terminates a worker that reads no message any more after the grace period", async () => {
    const { module, waiting } = neverReady("busy")
    const authenticator = create(module)
    const started = authenticator.start()
    started.catch(() => undefined) // rejects before the test awaits it: not an unhandled rejection
    await waiting
    await timed(authenticator.stop(), STOP_BOUND_MS)
    await expectStoppedCleanly(authenticator, started)
  })
})
