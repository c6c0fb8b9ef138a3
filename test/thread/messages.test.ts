import { describe, expect, it } from "vitest"
import { readWorkerMessage } from "../../packages/thread/src/messages.js"

const decision = (blocked: unknown): unknown => ({
  type: "decision",
  event: {
    elapsedMs: 0,
    request: {
      version: "1.0",
      requestId: new Uint8Array(1),
      domain: "",
      address: "",
      identity: new Uint8Array(0),
      mechanism: "NULL",
      credentials: [],
    },
    reply: { requestId: new Uint8Array(1), statusCode: 400, statusText: "Too many failed attempts", userId: "" },
    blocked,
  },
})

describe("messages from the worker: the new kinds are validated", () => {
  it("accepts a store event with a known name and error or value arguments, and refuses others", () => {
    expect(
      readWorkerMessage({
        type: "store:event",
        name: "store:down",
        args: [{ error: { name: "Error", message: "gone" } }],
      })
    ).toMatchObject({ name: "store:down" })
    expect(
      readWorkerMessage({
        type: "store:event",
        name: "credential:revoked",
        args: [{ value: { domain: "d", username: "u" } }],
      })
    ).toMatchObject({ name: "credential:revoked" })
    expect(() => readWorkerMessage({ type: "store:event", name: "store:anything", args: [] })).toThrow(/unknown name/)
    expect(() => readWorkerMessage({ type: "store:event", name: "store:up", args: [{}] })).toThrow(/arguments/)
    expect(() => readWorkerMessage({ type: "store:event", name: "store:down", args: [{ error: "gone" }] })).toThrow(
      /not an error/
    )
  })

  it("accepts a callback abort with an id and a reason only", () => {
    expect(readWorkerMessage({ type: "callback:abort", id: 3, reason: "timeout" })).toMatchObject({ id: 3 })
    expect(() => readWorkerMessage({ type: "callback:abort", id: 0, reason: "timeout" })).toThrow(/callback abort/)
  })

  it("accepts a decision's blocked field only when well formed", () => {
    expect(readWorkerMessage(decision({ reason: "address", failures: 3, retryAfterMs: 10 }))).toMatchObject({
      type: "decision",
    })
    expect(() => readWorkerMessage(decision({ reason: "address" }))).toThrow(/blocked/)
  })
})
