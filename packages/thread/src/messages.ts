/**
 * The message protocol between a {@link ThreadAuthenticator} and its worker thread: every value
 * that crosses `postMessage`, with the functions that validate it on receipt. Buffers arrive as
 * `Uint8Array` (structured clone); functions never cross, callbacks are named by id.
 *
 * @module
 */

import {
  AuthenticatorError,
  STORE_EVENTS,
  type FailureGuardOptions,
  type GuardBlock,
  type StoreEventName,
} from "@zmq-auth/core"
import { isMetricsBatch, type MetricsBatch } from "@zmq-auth/core/internal"

/** An error as it crosses threads; {@link reviveError} rebuilds the core error class from `code`. */
export interface TransferredError {
  name: string
  message: string
  code?: string
  /** `CertificateError.file`. */
  file?: string
  /** `ZapProtocolError.statusText`. */
  statusText?: string
  /** `ZapProtocolError.requestId`. */
  requestId?: Uint8Array
  stack?: string
  cause?: TransferredError
}

/** A ZAP request after structured clone: byte fields are `Uint8Array`. */
export interface TransferredRequest {
  version: string
  requestId: Uint8Array
  domain: string
  address: string
  identity: Uint8Array
  mechanism: string
  credentials: Uint8Array[]
}

/** A ZAP reply after structured clone. */
export interface TransferredReply {
  requestId: Uint8Array
  statusCode: 200 | 300 | 400 | 500
  statusText: string
  userId: string
  metadata?: Record<string, string | Uint8Array>
}

/** A `certificates:reload` event after structured clone. */
export interface TransferredReload {
  domain: string
  directory: string
  added: number
  removed: number
  total: number
  errors: TransferredError[]
  failure?: TransferredError
}

/** One argument of a store event: an error (rebuilt by `reviveError`) or a cloneable value. */
export type TransferredArgument = { error: TransferredError } | { value: unknown }

/** A `decision` event after structured clone. */
export interface TransferredDecision {
  request: TransferredRequest
  reply: TransferredReply
  elapsedMs: number
  error?: TransferredError
  blocked?: GuardBlock
}

/** One configuration call of the engine, in a form that survives structured clone. */
export type ConfigurationCall =
  | { method: "allow"; addresses: string[] }
  | { method: "deny"; addresses: string[] }
  | { method: "configurePlain"; domain: string; passwords: Record<string, string> | Map<string, string> }
  /** `location: null` stands for `CURVE_ALLOW_ANY` (a symbol does not survive structured clone). */
  | {
      method: "configureCurve"
      domain: string
      location: string | null
      options?: { watch?: boolean; debounceMs?: number; pollMs?: number }
    }
  | { method: "configureCurveKeys"; domain: string; keys: Array<string | Uint8Array> }
  /** The callback stays on the main thread; the worker calls it by `callbackId`. */
  | { method: "configureCurveCallback"; domain: string; callbackId: number }
  | { method: "configureGssapi"; domain: string }

/** What the worker receives as `workerData`. */
export interface WorkerSettings {
  endpoint: string
  /** URL (href) of the ES module exporting `createAuthenticator(options)`. */
  module?: string
  concurrency?: number
  callbackTimeoutMs?: number
  maxPendingChecks?: number
  /** The engine's brute-force guard (its clock cannot cross threads). */
  guard?: Omit<FailureGuardOptions, "now">
  /** Whether `curveUserId` is a main-thread callback the worker has to call. */
  remoteCurveUserId: boolean
  /** The configuration to apply, in order, before binding the ZAP endpoint. */
  policy: ConfigurationCall[]
  /**
   * One `Int32` on shared memory the worker sets to 1 (and notifies) once its ZAP socket is
   * closed, so a main thread inside `process.exit()` can wait for it synchronously.
   */
  closed: Int32Array
  /**
   * One `Int32` on shared memory the main thread sets to 1 while it has `decision` listeners:
   * the worker forwards decisions only then, so nobody pays for events nobody reads. Shared
   * memory, not a message, so a listener added on the main thread counts at once.
   */
  decisionsWanted: Int32Array
}

/** Events of the worker's engine and handler that the main thread re-emits with an error. */
export type ReportedEvent =
  "certificate:error" | "protocol:error" | "authenticate:error" | "reply:error" | "message:error" | "worker:error"

/** A main-thread callback the worker asks for. */
export type CallbackRequest =
  | { callback: "curveKey"; callbackId: number; domain: string; publicKey: string }
  | { callback: "curveUserId"; publicKey: string; request: TransferredRequest }

/** Messages from the main thread to the worker. */
export type MainMessage =
  | { type: "configure"; id: number; call: ConfigurationCall }
  | { type: "callback:result"; id: number; value: unknown }
  | { type: "callback:failed"; id: number; error: TransferredError }
  | { type: "stop" }

/** Messages from the worker to the main thread. */
export type WorkerMessage =
  | { type: "ready" }
  | { type: "start:failed"; error: TransferredError }
  | { type: "configured"; id: number }
  | { type: "configure:failed"; id: number; error: TransferredError }
  | { type: "decision"; event: TransferredDecision }
  | { type: "certificates:reload"; event: TransferredReload }
  | { type: "callback:call"; id: number; request: CallbackRequest }
  /** An event of a credential store living in the worker; `Error` arguments as transferred errors. */
  | { type: "store:event"; name: StoreEventName; args: TransferredArgument[] }
  /** The engine no longer wants the answer of callback call `id`: its signal is aborted. */
  | { type: "callback:abort"; id: number; reason: string }
  | { type: "report"; event: ReportedEvent; error: TransferredError; request?: TransferredRequest }
  /** Metrics recorded in the worker since the last batch, for the main thread's instruments. */
  | { type: "metrics"; batch: MetricsBatch }
  | { type: "stopped" }

type Fields = Record<string, unknown>

function isRecord(value: unknown): value is Fields {
  return typeof value === "object" && value !== null
}

function expect(condition: boolean, what: string): asserts condition {
  if (!condition) throw new AuthenticatorError(`invalid message between threads: ${what}`)
}

/** Whether `value` can be a correlation id (a positive safe integer). */
export const isMessageId = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) > 0
const isId = isMessageId
const isBytes = (value: unknown): value is Uint8Array => value instanceof Uint8Array

function checkError(value: unknown, what: string): asserts value is TransferredError {
  expect(
    isRecord(value) && typeof value.name === "string" && typeof value.message === "string",
    `${what} is not an error`
  )
}

function checkRequest(value: unknown): asserts value is TransferredRequest {
  expect(isRecord(value), "request is not an object")
  expect(
    typeof value.version === "string" &&
      typeof value.domain === "string" &&
      typeof value.address === "string" &&
      typeof value.mechanism === "string",
    "request has a non-string field"
  )
  expect(isBytes(value.requestId) && isBytes(value.identity), "request id or identity is not bytes")
  expect(Array.isArray(value.credentials) && value.credentials.every(isBytes), "request credentials are not bytes")
}

function checkDecision(value: unknown): asserts value is TransferredDecision {
  expect(isRecord(value) && typeof value.elapsedMs === "number", "decision has no elapsedMs")
  checkRequest(value.request)
  const reply = value.reply
  expect(isRecord(reply) && isBytes(reply.requestId), "decision reply has no request id")
  expect([200, 300, 400, 500].includes(reply.statusCode as number), "decision reply has an invalid status code")
  expect(
    typeof reply.statusText === "string" && typeof reply.userId === "string",
    "decision reply has a non-string field"
  )
  expect(reply.metadata === undefined || isRecord(reply.metadata), "decision reply metadata is not an object")
  if (value.error !== undefined) checkError(value.error, "decision error")
  const blocked = value.blocked
  expect(
    blocked === undefined ||
      (isRecord(blocked) &&
        typeof blocked.reason === "string" &&
        typeof blocked.failures === "number" &&
        typeof blocked.retryAfterMs === "number"),
    "decision blocked is malformed"
  )
}

function checkReload(value: unknown): asserts value is TransferredReload {
  expect(
    isRecord(value) && typeof value.domain === "string" && typeof value.directory === "string",
    "reload has no domain or directory"
  )
  expect(
    [value.added, value.removed, value.total].every((count) => typeof count === "number"),
    "reload has a non-numeric count"
  )
  expect(Array.isArray(value.errors), "reload errors are not an array")
  for (const error of value.errors) checkError(error, "reload error")
  if (value.failure !== undefined) checkError(value.failure, "reload failure")
}

function checkConfigurationCall(call: unknown): asserts call is ConfigurationCall {
  expect(isRecord(call), "configuration call is not an object")
  const method = call.method
  // Argument values (domains, addresses, passwords, keys) are the engine's to judge: it rejects
  // them with its own typed errors. Only the shape is checked here.
  if (method === "allow" || method === "deny") {
    expect(Array.isArray(call.addresses), `${method} addresses are not an array`)
    return
  }
  expect("domain" in call, "configuration call has no domain")
  switch (method) {
    case "configurePlain":
      expect(isRecord(call.passwords), "configurePlain passwords are not an object")
      return
    case "configureCurve":
      expect(call.location === null || typeof call.location === "string", "configureCurve location is not a string")
      expect(call.options === undefined || isRecord(call.options), "configureCurve options are not an object")
      return
    case "configureCurveKeys":
      expect(Array.isArray(call.keys), "configureCurveKeys keys are not an array")
      return
    case "configureCurveCallback":
      expect(isId(call.callbackId), "configureCurveCallback has no callback id")
      return
    case "configureGssapi":
      return
    default:
      expect(false, `unknown configuration method ${JSON.stringify(String(method)).slice(0, 40)}`)
  }
}

const REPORTED_EVENTS = new Set<string>([
  "certificate:error",
  "protocol:error",
  "authenticate:error",
  "reply:error",
  "message:error",
  "worker:error",
])

function checkCallbackRequest(value: unknown): asserts value is CallbackRequest {
  expect(isRecord(value) && typeof value.publicKey === "string", "callback request has no public key")
  if (value.callback === "curveKey") {
    expect(isId(value.callbackId) && typeof value.domain === "string", "curveKey request has no callback id or domain")
  } else {
    expect(value.callback === "curveUserId", "unknown callback kind")
    checkRequest(value.request)
  }
}

/** Validates a message received by the worker. Throws `AuthenticatorError`; the message is then ignored and reported as `message:error`. */
export function readMainMessage(data: unknown): MainMessage {
  expect(isRecord(data), "message is not an object")
  switch (data.type) {
    case "configure":
      expect(isId(data.id), "configure has no id")
      checkConfigurationCall(data.call)
      break
    case "callback:result":
      expect(isId(data.id), "callback result has no id")
      break
    case "callback:failed":
      expect(isId(data.id), "callback failure has no id")
      checkError(data.error, "callback failure")
      break
    case "stop":
      break
    default:
      expect(false, `unknown message type ${JSON.stringify(String(data.type)).slice(0, 40)}`)
  }
  return data as MainMessage
}

/** Validates a message received by the main thread. Throws `AuthenticatorError`; the message is then ignored and reported as `message:error`. */
export function readWorkerMessage(data: unknown): WorkerMessage {
  expect(isRecord(data), "message is not an object")
  switch (data.type) {
    case "ready":
    case "stopped":
      break
    case "start:failed":
      checkError(data.error, "start failure")
      break
    case "configured":
      expect(isId(data.id), "configured has no id")
      break
    case "configure:failed":
      expect(isId(data.id), "configure failure has no id")
      checkError(data.error, "configure failure")
      break
    case "decision":
      checkDecision(data.event)
      break
    case "certificates:reload":
      checkReload(data.event)
      break
    case "callback:call":
      expect(isId(data.id), "callback call has no id")
      checkCallbackRequest(data.request)
      break
    case "store:event":
      expect(
        typeof data.name === "string" && (STORE_EVENTS as readonly string[]).includes(data.name),
        "store event has an unknown name"
      )
      expect(
        Array.isArray(data.args) && data.args.every((arg) => isRecord(arg) && ("error" in arg || "value" in arg)),
        "store event arguments are malformed"
      )
      for (const arg of data.args as Fields[]) if ("error" in arg) checkError(arg.error, "store event error")
      break
    case "callback:abort":
      expect(isId(data.id) && typeof data.reason === "string", "callback abort has no id or reason")
      break
    case "report":
      expect(typeof data.event === "string" && REPORTED_EVENTS.has(data.event), "report names an unknown event")
      checkError(data.error, "report")
      if (data.request !== undefined) checkRequest(data.request)
      break
    case "metrics":
      expect(isMetricsBatch(data.batch), "metrics batch is malformed")
      break
    default:
      expect(false, `unknown message type ${JSON.stringify(String(data.type)).slice(0, 40)}`)
  }
  return data as WorkerMessage
}

/** Validates the worker's `workerData`. Throws `AuthenticatorError`; the message is then ignored and reported as `message:error`. */
export function readWorkerSettings(data: unknown): WorkerSettings {
  expect(isRecord(data), "worker settings are not an object")
  expect(typeof data.endpoint === "string", "worker settings have no endpoint")
  expect(data.module === undefined || typeof data.module === "string", "worker settings module is not a string")
  expect(typeof data.remoteCurveUserId === "boolean", "worker settings have no remoteCurveUserId flag")
  expect(Array.isArray(data.policy), "worker settings have no policy")
  expect(
    data.closed instanceof Int32Array && data.closed.buffer instanceof SharedArrayBuffer,
    "worker settings have no shared closed flag"
  )
  expect(
    data.decisionsWanted instanceof Int32Array && data.decisionsWanted.buffer instanceof SharedArrayBuffer,
    "worker settings have no shared decisionsWanted flag"
  )
  for (const call of data.policy) checkConfigurationCall(call)
  return data as unknown as WorkerSettings
}
