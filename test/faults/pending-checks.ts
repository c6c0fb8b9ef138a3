import { afterEach, describe, expect, it } from "vitest"
import type { CredentialCheck, DecisionEvent } from "@zmq-auth/core"
import type { AdapterUnderTest, ServedEngine, ServeOptions } from "../helpers/adapter.js"
import { decisionAt, guard } from "../helpers/pyzmq-scenarios.js"
import {
  attemptHandshake,
  newClientKeys,
  startServer,
  type HandshakeOutcome,
  type TestServer,
} from "../helpers/sockets.js"

const TIMEOUT_MS = 100

/** Resolves when `signal` is aborted, with its reason. */
function aborted(signal: AbortSignal): Promise<unknown> {
  if (signal.aborted) return Promise.resolve(signal.reason)
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(signal.reason), { once: true }))
}

/** Resolves once `count` entries exist in `list`, polled on each push through `onPush`. */
function waiter<T>(): { list: T[]; push(item: T): void; reach(count: number): Promise<void> } {
  const list: T[] = []
  const waiting: Array<{ count: number; resolve: () => void }> = []
  return {
    list,
    push(item) {
      list.push(item)
      for (const entry of waiting.filter((candidate) => list.length >= candidate.count)) {
        waiting.splice(waiting.indexOf(entry), 1)
        entry.resolve()
      }
    },
    reach(count) {
      if (list.length >= count) return Promise.resolve()
      return new Promise((resolve) => waiting.push({ count, resolve }))
    },
  }
}

/**
 * Checks that never settle, through one adapter: each check gets a `CredentialCheck` whose
 * signal is aborted on timeout (and when the adapter stops), and the outstanding checks per
 * domain are bounded by `maxPendingChecks`, past which requests are answered 300 at once.
 */
export function runPendingChecks(
  adapter: AdapterUnderTest,
  options: { abortsOnStop: boolean } = { abortsOnStop: true }
): void {
  describe(`pending checks (${adapter.name} adapter, callbackTimeoutMs ${TIMEOUT_MS})`, () => {
    let served: ServedEngine | undefined
    const servers: TestServer[] = []

    afterEach(async () => {
      for (const server of servers.splice(0)) server.close()
      await served?.stop()
      served = undefined
    })

    async function serve(extra: ServeOptions = {}): Promise<ServedEngine> {
      served = await adapter.serve({ callbackTimeoutMs: TIMEOUT_MS, ...extra })
      return served
    }

    async function curveServer(domain = "pending"): Promise<TestServer> {
      const server = await startServer({ mechanism: "CURVE", domain })
      servers.push(server)
      return server
    }

    async function attempt(engine: ServedEngine, server: TestServer): Promise<[HandshakeOutcome, DecisionEvent]> {
      const mark = engine.decisions.length
      const outcome = await guard(
        attemptHandshake(server, { mechanism: "CURVE", ...newClientKeys() }),
        10_000,
        "no handshake outcome"
      )
      return [outcome, await decisionAt(engine, mark)]
    }

    it("aborts a key callback's signal when it times out", async () => {
      const engine = await serve()
      const checks = waiter<CredentialCheck>()
      await engine.engine.configureCurveCallback("*", (_domain, _key, check) => {
        checks.push(check)
        return new Promise<boolean>(() => undefined)
      })
      const [outcome, decision] = await attempt(engine, await curveServer())
      expect(outcome).toBe("handshake:error:auth")
      expect(decision.reply).toMatchObject({ statusCode: 500, statusText: "Internal error" })
      await checks.reach(1)
      const reason = await guard(aborted(checks.list[0]!.signal), 10_000, "the callback's signal was never aborted")
      expect(String((reason as Error).message)).toMatch(/did not answer within 100 ms/)
    })

    it("aborts a curveUserId mapper's signal when it times out", async () => {
      const checks = waiter<CredentialCheck>()
      const engine = await serve({
        curveUserId: (_key, _request, check) => {
          checks.push(check)
          return new Promise<string>(() => undefined)
        },
      })
      await engine.engine.configureCurveCallback("*", () => true)
      const [, decision] = await attempt(engine, await curveServer())
      expect(decision.reply.statusCode).toBe(500)
      await checks.reach(1)
      await guard(aborted(checks.list[0]!.signal), 10_000, "the mapper's signal was never aborted")
    })

    it("answers 300 at once past maxPendingChecks callbacks that never settle, without calling again", async () => {
      const engine = await serve({ maxPendingChecks: 2 })
      const checks = waiter<CredentialCheck>()
      // Ignores its signal: the two calls stay outstanding for good.
      await engine.engine.configureCurveCallback("*", (_domain, _key, check) => {
        checks.push(check)
        return new Promise<boolean>(() => undefined)
      })
      const server = await curveServer()
      for (let index = 0; index < 2; index++) {
        const [, decision] = await attempt(engine, server)
        expect(decision.reply).toMatchObject({ statusCode: 500, statusText: "Internal error" })
      }
      for (let index = 0; index < 3; index++) {
        const [outcome, decision] = await attempt(engine, server)
        // Refused: how the client sees a 300 (auth error, or the connection closed first) is libzmq's timing.
        expect(outcome).not.toBe("handshake")
        expect(decision.reply).toMatchObject({ statusCode: 300, statusText: "Too many pending checks", userId: "" })
        expect(decision.elapsedMs).toBeLessThan(TIMEOUT_MS)
      }
      expect(checks.list).toHaveLength(2)
    })

    it("counts per domain: a saturated domain leaves the others served", async () => {
      const engine = await serve({ maxPendingChecks: 1 })
      await engine.engine.configureCurveCallback("*", (domain) =>
        domain === "stuck" ? new Promise<boolean>(() => undefined) : Promise.resolve(true)
      )
      const stuck = await curveServer("stuck")
      expect((await attempt(engine, stuck))[1].reply.statusCode).toBe(500)
      expect((await attempt(engine, stuck))[1].reply.statusCode).toBe(300)
      const [outcome, decision] = await attempt(engine, await curveServer("fine"))
      expect(outcome).toBe("handshake")
      expect(decision.reply.statusCode).toBe(200)
    })

    it("frees the slot of a callback that settles when its signal is aborted", async () => {
      const engine = await serve({ maxPendingChecks: 1 })
      let calls = 0
      await engine.engine.configureCurveCallback("*", (_domain, _key, check) => {
        calls++
        return new Promise<boolean>((_resolve, reject) =>
          check.signal.addEventListener("abort", () => reject(check.signal.reason))
        )
      })
      const server = await curveServer()
      for (let index = 0; index < 3; index++) {
        const [, decision] = await attempt(engine, server)
        expect(decision.reply.statusCode).toBe(500)
        // The callback's failure reaches the engine before this configuration call is applied
        // (on the thread adapter both cross the same message port, in order): the slot is free.
        await engine.engine.configureGssapi("unused")
      }
      expect(calls).toBe(3)
    })

    // The thread and rx adapters give up checks still running when they stop; ZapHandler's stop()
    // answers what is in flight (API.md), so there the check runs until callbackTimeoutMs.
    const stopName = options.abortsOnStop
      ? "aborts the signal of a callback still running when the adapter stops"
      : "answers a callback running at stop(): its signal aborts at callbackTimeoutMs, then stop() resolves"
    it(stopName, async () => {
      const engine = await serve({ callbackTimeoutMs: options.abortsOnStop ? 60_000 : 300 })
      const checks = waiter<CredentialCheck>()
      await engine.engine.configureCurveCallback("*", (_domain, _key, check) => {
        checks.push(check)
        return new Promise<boolean>(() => undefined)
      })
      const server = await curveServer()
      const handshake = attemptHandshake(server, { mechanism: "CURVE", ...newClientKeys() })
      await guard(checks.reach(1), 10_000, "the callback was never called")
      const stopped = engine.stop()
      served = undefined
      await guard(aborted(checks.list[0]!.signal), 10_000, "the callback's signal was never aborted")
      await stopped
      expect(await guard(handshake, 10_000, "no handshake outcome")).not.toBe("handshake")
    })
  })
}
