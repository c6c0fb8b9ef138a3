import { describe, expect, it } from "vitest"
import { Context, Router } from "zeromq"
import { AuthenticatorError } from "@zmq-auth/core"
import { ZapEndpoint } from "@zmq-auth/core/internal"
import { allowAs, RecordingListener, ZapClient } from "../helpers/endpoint-listener.js"
import { thrownBy } from "../helpers/thrown-by.js"

/** Opens an endpoint that allows every request as "served" and waits until it serves. */
async function served(context: Context, endpoint: string): Promise<ZapEndpoint> {
  const opened = ZapEndpoint.open(new RecordingListener(() => allowAs("served")), { context, endpoint })
  await opened.ready
  return opened
}

/** The reply of one NULL request to `endpoint` in `context`. */
async function answer(context: Context, endpoint: string): Promise<string[]> {
  const client = new ZapClient(context, endpoint)
  try {
    await client.request("probe")
    return await client.reply()
  } finally {
    client.close()
  }
}

describe("ZapEndpoint.open refusing an address", () => {
  it("refuses a second endpoint of an address in the same context, with no cause and no hint by default", async () => {
    const context = new Context()
    const endpoint = "inproc://bind-errors-claimed"
    const first = await served(context, endpoint)
    try {
      const refused = thrownBy(() => ZapEndpoint.open(new RecordingListener(), { context, endpoint }))
      expect(refused).toBeInstanceOf(AuthenticatorError)
      expect(refused.message).toBe(`${endpoint} already has a ZAP handler in this context`)
      expect(Object.hasOwn(refused, "cause")).toBe(false)
      const hinted = thrownBy(() => ZapEndpoint.open(new RecordingListener(), { context, endpoint }, "; see the docs"))
      expect(hinted.message).toBe(`${endpoint} already has a ZAP handler in this context; see the docs`)
      expect(first.serving).toBe(true)
      expect(await answer(context, endpoint)).toEqual(["probe", "200", "OK", "served"])
    } finally {
      await first.release()
    }
  })

  it("keeps refusing a held address of a context after another address of that context was released", async () => {
    const context = new Context()
    const held = await served(context, "inproc://bind-errors-held")
    await (await served(context, "inproc://bind-errors-released")).release()
    const refused = thrownBy(() => ZapEndpoint.open(new RecordingListener(), { context, endpoint: held.address }))
    expect(refused.message).toBe(`${held.address} already has a ZAP handler in this context`)
    expect(Object.hasOwn(refused, "cause")).toBe(false)
    await held.release()
  })

  it("calls an address another socket has bound busy, with the bind error as cause, and claims nothing", async () => {
    const context = new Context()
    const endpoint = "inproc://bind-errors-foreign"
    // Released before: the error still comes at once from open(), not from a later wait.
    await (await served(context, endpoint)).release()
    const foreign = new Router({ context, linger: 0 })
    foreign.bindSync(endpoint)
    try {
      const refused = thrownBy(() => ZapEndpoint.open(new RecordingListener(), { context, endpoint }, " (hint)"))
      expect(refused).toBeInstanceOf(AuthenticatorError)
      expect(refused.message).toBe(`${endpoint} already has a ZAP handler in this context (hint)`)
      expect(refused.cause).toMatchObject({ code: "EADDRINUSE" })
      await foreign.unbind(endpoint)
    } finally {
      foreign.close()
    }
    const next = await served(context, endpoint)
    expect(await answer(context, endpoint)).toEqual(["probe", "200", "OK", "served"])
    await next.release()
  })

  it("names any other bind failure as such, with its cause, every time it is tried", () => {
    const context = new Context()
    for (const [endpoint, code, reason] of [
      ["unknown://zap", "EPROTONOSUPPORT", "Protocol not supported"],
      ["tcp://not-an-address", "EINVAL", "Invalid argument"],
    ] as const) {
      for (let attempt = 0; attempt < 2; attempt++) {
        const failed = thrownBy(() => ZapEndpoint.open(new RecordingListener(), { context, endpoint }))
        expect(failed).toBeInstanceOf(AuthenticatorError)
        expect(failed.message).toBe(`cannot bind the ZAP endpoint ${endpoint}: ${reason}`)
        expect(failed.cause).toMatchObject({ code })
      }
    }
  })
})
