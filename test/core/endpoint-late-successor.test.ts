import { describe, expect, it } from "vitest"
import { Context, Router } from "zeromq"
import { AuthenticatorError } from "@zmq-auth/core"
import { ZapEndpoint } from "@zmq-auth/core/internal"
import { beforeNextUnbind } from "../helpers/router-hooks.js"
import { allowAs, answerOnce, RecordingListener, ZapClient } from "../helpers/endpoint-listener.js"

const ENDPOINT = "inproc://endpoint-late-successor"

/** The reply of one NULL request from a new client of `context`. */
function answer(context: Context, requestId: string): Promise<string[]> {
  return answerOnce(context, ENDPOINT, requestId)
}

describe("ZapEndpoint whose successor comes once the predecessor decided to unbind", () => {
  it("answers what its sessions queued meanwhile, then the successor binds the freed address itself", async () => {
    const context = new Context()
    const first = ZapEndpoint.open(new RecordingListener(() => allowAs("first")), { context, endpoint: ENDPOINT })
    await first.ready
    const client = new ZapClient(context, ENDPOINT)
    let successor: ZapEndpoint | undefined
    beforeNextUnbind(async () => {
      successor = ZapEndpoint.open(new RecordingListener(() => allowAs("successor")), { context, endpoint: ENDPOINT })
      await client.request("queued while unbinding")
    })
    await first.release()
    expect(await client.reply()).toEqual(["queued while unbinding", "200", "OK", "first"])
    client.close()
    await successor!.ready
    expect(successor!.serving).toBe(true)
    expect(await answer(context, "after")).toEqual(["after", "200", "OK", "successor"])
    await successor!.release()
  })

  it("rejects the successor's ready with the error of its own bind when the freed address is taken first", async () => {
    const context = new Context()
    const first = ZapEndpoint.open(new RecordingListener(() => allowAs("first")), { context, endpoint: ENDPOINT })
    await first.ready
    let successor: ZapEndpoint | undefined
    const foreign = new Router({ context, linger: 0 })
    beforeNextUnbind(
      () => {
        successor = ZapEndpoint.open(new RecordingListener(() => allowAs("successor")), { context, endpoint: ENDPOINT })
      },
      // Between the unbind and the successor's own bind, which waits for the address to be free.
      () => foreign.bindSync(ENDPOINT)
    )
    await first.release()
    const rejected = await successor!.ready.then(
      () => undefined,
      (error: unknown) => error
    )
    expect(rejected).toBeInstanceOf(AuthenticatorError)
    expect((rejected as Error).message).toBe(`${ENDPOINT} already has a ZAP handler in this context`)
    expect((rejected as Error).cause).toMatchObject({ code: "EADDRINUSE" })
    expect(successor!.serving).toBe(false)
    await foreign.unbind(ENDPOINT)
    foreign.close()
    const next = ZapEndpoint.open(new RecordingListener(() => allowAs("next")), { context, endpoint: ENDPOINT })
    await next.ready
    expect(await answer(context, "after")).toEqual(["after", "200", "OK", "next"])
    await next.release()
  })
})
