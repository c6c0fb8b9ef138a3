import { describe, expect, it } from "vitest"
import { AuthenticatorError } from "@zmq-auth/core"
import { readMainMessage, readWorkerMessage, readWorkerSettings } from "../../packages/thread/src/messages.js"

const WRONG = Symbol("wrong type")
const error = { name: "Error", message: "gone" }
const request = {
  version: "1.0",
  requestId: new Uint8Array(1),
  domain: "",
  address: "127.0.0.1",
  identity: new Uint8Array(0),
  mechanism: "PLAIN",
  credentials: [new Uint8Array(1), new Uint8Array(1)],
}
const reply = { requestId: new Uint8Array(1), statusCode: 400, statusText: "Too many failed attempts", userId: "" }
const decision = {
  request,
  reply,
  elapsedMs: 1,
  error: { ...error, code: "ERR_AUTHENTICATOR", cause: error },
  blocked: { reason: "address", failures: 3, retryAfterMs: 10 },
}
const reload = { domain: "d", directory: "/certs", added: 1, removed: 0, total: 1, errors: [error], failure: error }

type Message = Record<string, unknown>
/** A valid message of each kind, and the paths of the fields a check must refuse when missing or of a wrong type. */
type Sample = [message: Message, required: string[]]

const fromWorker: Sample[] = [
  [{ type: "ready" }, []],
  [{ type: "stopped" }, []],
  [{ type: "start:failed", error }, ["error", "error.name", "error.message"]],
  [{ type: "configured", id: 1 }, ["id"]],
  [{ type: "configure:failed", id: 2, error }, ["id", "error"]],
  [
    { type: "decision", event: decision },
    [
      "event",
      "event.request",
      "event.request.requestId",
      "event.request.credentials",
      "event.reply",
      "event.reply.statusCode",
      "event.reply.userId",
      "event.elapsedMs",
    ],
  ],
  [{ type: "certificates:reload", event: reload }, ["event.domain", "event.total", "event.errors"]],
  [
    { type: "callback:call", id: 3, request: { callback: "curveKey", callbackId: 1, domain: "d", publicKey: "k" } },
    ["id", "request", "request.callbackId", "request.domain", "request.publicKey"],
  ],
  [
    { type: "callback:call", id: 4, request: { callback: "curveUserId", publicKey: "k", request } },
    ["request.publicKey", "request.request"],
  ],
  [{ type: "store:event", name: "store:down", args: [{ error }, { value: { domain: "d" } }] }, ["name", "args"]],
  [{ type: "callback:abort", id: 5, reason: "timeout" }, ["id", "reason"]],
  [{ type: "report", event: "protocol:error", error, request }, ["event", "error"]],
  [{ type: "metrics", batch: { sums: [], values: [], gauges: [] } }, ["batch"]],
]

const fromMain: Sample[] = [
  [{ type: "stop" }, []],
  [{ type: "callback:result", id: 1, value: undefined }, ["id"]],
  [{ type: "callback:failed", id: 2, error }, ["id", "error"]],
  [{ type: "configure", id: 3, call: { method: "allow", addresses: ["127.0.0.1"] } }, ["id", "call", "call.addresses"]],
  [{ type: "configure", id: 4, call: { method: "configurePlain", domain: "*", passwords: {} } }, ["call.passwords"]],
  [
    { type: "configure", id: 5, call: { method: "configureCurve", domain: "*", location: null, options: {} } },
    ["call.location"],
  ],
  [{ type: "configure", id: 6, call: { method: "configureCurveKeys", domain: "*", keys: [] } }, ["call.keys"]],
  [
    { type: "configure", id: 7, call: { method: "configureCurveCallback", domain: "*", callbackId: 1 } },
    ["call.callbackId"],
  ],
  [{ type: "configure", id: 8, call: { method: "configureGssapi", domain: "*" } }, []],
]

/** A copy of `message` with the field at `path` set to `value` (deleted when `value` is undefined). */
function withField(message: Message, path: string, value: unknown): Message {
  const copy = structuredClone(message)
  const keys = path.split(".")
  const last = keys.pop()!
  let target = copy
  for (const key of keys) target = target[key] as Message
  if (value === undefined) delete target[last]
  else target[last] = value
  return copy
}

function expectRefused(read: (data: unknown) => unknown, data: unknown, what: RegExp): void {
  expect(() => read(data)).toThrow(AuthenticatorError)
  expect(() => read(data)).toThrow(what)
}

const escaped = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

for (const [direction, read, samples] of [
  ["from the worker", readWorkerMessage, fromWorker],
  ["from the main thread", readMainMessage, fromMain],
] as const) {
  describe(`messages ${direction}`, () => {
    for (const [message, required] of samples) {
      const kind = `${String(message.type)}${isCall(message) ? ` ${String(message.call.method)}` : ""}`
      it(`accepts a well-formed ${kind}`, () => {
        expect(read(message)).toBe(message)
      })
      for (const path of required) {
        it(`refuses a ${kind} with ${path} missing or of a wrong type, naming it`, () => {
          const named = new RegExp(
            `^invalid message between threads: ${escaped(`${String(message.type)}.${path}`)} is not`
          )
          expectRefused(read, withField(message, path, undefined), named)
          expectRefused(read, withField(message, path, WRONG), named)
        })
      }
    }

    it("refuses an unknown message type, and anything that is not an object", () => {
      expectRefused(read, { type: "format disk" }, /message\.type is not a known type/)
      expectRefused(read, {}, /message\.type is not a known type/)
      expectRefused(read, "ready", /message is not an object/)
      expectRefused(read, null, /message is not an object/)
    })
  })
}

function isCall(message: Message): message is Message & { call: Message } {
  return message.type === "configure"
}

describe("messages: unknown kinds inside a message are refused", () => {
  it("an unknown configuration method", () => {
    expectRefused(
      readMainMessage,
      { type: "configure", id: 1, call: { method: "format disk" } },
      /configure\.call\.method/
    )
  })

  it("an unknown callback kind, report event and store event name", () => {
    expectRefused(
      readWorkerMessage,
      { type: "callback:call", id: 1, request: { callback: "shell", publicKey: "k" } },
      /callback:call\.request\.callback is not a known callback/
    )
    expectRefused(readWorkerMessage, { type: "report", event: "anything", error }, /report\.event is not one of/)
    expectRefused(readWorkerMessage, { type: "store:event", name: "store:anything", args: [] }, /store:event\.name/)
  })

  it("a status code, guard block reason or metadata value outside the protocol", () => {
    const refuse = (path: string, value: unknown): void =>
      expectRefused(readWorkerMessage, withField({ type: "decision", event: decision }, path, value), /decision\.event/)
    refuse("event.reply.statusCode", 201)
    refuse("event.blocked.reason", "everything")
    refuse("event.blocked.failures", undefined)
    refuse("event.reply.metadata", { Tier: 7 })
    refuse("event.error.cause", { name: "Error" })
  })

  it("a store event argument that is neither an error nor a value", () => {
    expectRefused(readWorkerMessage, { type: "store:event", name: "store:up", args: [{}] }, /store:event\.args\[0\]/)
    expectRefused(
      readWorkerMessage,
      { type: "store:event", name: "store:down", args: [{ error: "gone" }] },
      /store:event\.args\[0\]\.error is not an error/
    )
  })

  it("never prints the refused value", () => {
    expect(() =>
      readWorkerMessage({ type: "start:failed", error: { name: "Error", message: 7, secret: "s3cret" } })
    ).toThrow(/^invalid message between threads: start:failed\.error\.message is not a string$/)
  })
})

describe("worker settings", () => {
  const flag = (): Int32Array => new Int32Array(new SharedArrayBuffer(4))
  const settings = {
    endpoint: "inproc://zeromq.zap.01",
    remoteCurveUserId: false,
    policy: [{ method: "configureGssapi", domain: "*" }],
    closed: flag(),
    decisionsWanted: flag(),
    metricsWanted: flag(),
  }

  it("accepts well-formed settings", () => {
    expect(readWorkerSettings(settings)).toBe(settings)
  })

  for (const path of ["endpoint", "remoteCurveUserId", "policy", "closed", "decisionsWanted", "metricsWanted"]) {
    it(`refuses settings with ${path} missing or of a wrong type`, () => {
      const named = new RegExp(`workerData\\.${path} is not`)
      expectRefused(readWorkerSettings, withField(settings, path, undefined), named)
      expectRefused(readWorkerSettings, withField(settings, path, WRONG), named)
    })
  }

  it("refuses a flag not on shared memory, and a recorded call of an unknown method", () => {
    expectRefused(readWorkerSettings, { ...settings, closed: new Int32Array(1) }, /workerData\.closed/)
    expectRefused(readWorkerSettings, { ...settings, policy: [{ method: "format disk" }] }, /workerData\.policy\[0\]/)
  })
})
