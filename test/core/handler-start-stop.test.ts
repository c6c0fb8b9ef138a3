import { describe, expect, it } from "vitest"
import { Context, Router } from "zeromq"
import { AuthenticatorError, ZapHandler } from "@zmq-auth/core"
import { releaseInProgress } from "@zmq-auth/core/internal"
import { beforeNextUnbind } from "../helpers/router-hooks.js"
import { allowing } from "../helpers/allowing-engine.js"
import { answerOnce, ZapClient } from "../helpers/endpoint-listener.js"

const ENDPOINT = "inproc://handler-start-stop"

/** The reply of one NULL request from a new client of `context`. */
function answer(context: Context, requestId: string): Promise<string[]> {
  return answerOnce(context, ENDPOINT, requestId)
}

describe("ZapHandler start and stop racing a handover", () => {
  it("stop() while start() waits for a handover lets the start finish, then stops what it started", async () => {
    const context = new Context()
    let asked!: () => void
    const firstAsked = new Promise<void>((resolve) => (asked = resolve))
    let decide!: () => void
    const decided = new Promise<void>((resolve) => (decide = resolve))
    const first = new ZapHandler(
      {
        async authenticate(request) {
          asked()
          await decided
          return { requestId: request.requestId, statusCode: 200, statusText: "OK", userId: "first" }
        },
      },
      { context, endpoint: ENDPOINT }
    )
    await first.start()
    const client = new ZapClient(context, ENDPOINT)
    await client.request("held")
    await firstAsked
    const firstStopped = first.stop()
    const second = new ZapHandler(allowing("second"), { context, endpoint: ENDPOINT })
    const started = second.start()
    expect(second.running).toBe(false)
    const secondStopped = second.stop()
    decide()
    expect(await client.reply()).toEqual(["held", "200", "OK", "first"])
    client.close()
    await started
    await Promise.all([firstStopped, secondStopped])
    expect(second.running).toBe(false)
    const third = new ZapHandler(allowing("third"), { context, endpoint: ENDPOINT })
    await third.start()
    expect(await answer(context, "after")).toEqual(["after", "200", "OK", "third"])
    await third.stop()
  })

  it("a start() whose bind fails once the predecessor let go rejects with its error; start() works again", async () => {
    const context = new Context()
    const first = new ZapHandler(allowing("first"), { context, endpoint: ENDPOINT })
    await first.start()
    const second = new ZapHandler(allowing("second"), { context, endpoint: ENDPOINT })
    let started: Promise<unknown> | undefined
    beforeNextUnbind(() => {
      // Its rejection is taken at once: the predecessor's stop() resolves only later.
      started = second.start().then(
        () => undefined,
        (error: unknown) => error
      )
    })
    const foreign = new Router({ context, linger: 0 })
    const stopped = first.stop()
    // Runs before the successor's bind: both wait for the address to be free.
    const taken = releaseInProgress(context, ENDPOINT)!.then(() => foreign.bindSync(ENDPOINT))
    await Promise.all([stopped, taken])
    const rejected = await started!
    expect(rejected).toBeInstanceOf(AuthenticatorError)
    expect((rejected as Error).message).toBe(`${ENDPOINT} already has a ZAP handler in this context`)
    expect(second.running).toBe(false)
    await foreign.unbind(ENDPOINT)
    foreign.close()
    await second.start()
    expect(second.running).toBe(true)
    expect(await answer(context, "again")).toEqual(["again", "200", "OK", "second"])
    await second.stop()
  })
})
