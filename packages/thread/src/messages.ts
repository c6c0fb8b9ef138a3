/**
 * The message protocol between a {@link ThreadAuthenticator} and its worker thread: every value
 * that crosses `postMessage`, each spelled once as a shape from which both its type and its
 * check on receipt derive. Buffers arrive as `Uint8Array` (structured clone); functions never
 * cross, callbacks are named by id.
 *
 * @module
 */

import { STORE_EVENTS, type FailureGuardOptions, type StoreEventName } from "@zmq-auth/core"
import { isMetricsBatch, type MetricsBatch } from "@zmq-auth/core/internal"
import {
  arrayOf,
  at,
  boolean,
  bytes,
  guard,
  invalid,
  isRecord,
  judgedLater,
  lazy,
  literal,
  MESSAGE,
  number,
  optional,
  recordOf,
  shape,
  string,
  unknown,
  variants,
  type Infer,
  type Schema,
  type ShapeType,
} from "./shape.js"

/** Whether `value` can be a correlation id (a positive safe integer). */
export const isMessageId = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) > 0
const messageId = guard(isMessageId, "a message id")
const sharedFlag = guard(
  (value): value is Int32Array => value instanceof Int32Array && value.buffer instanceof SharedArrayBuffer,
  "a shared Int32Array"
)

const errorFields = {
  name: string,
  message: string,
  code: optional(string),
  /** `CertificateError.file`. */
  file: optional(string),
  /** `ZapProtocolError.statusText`. */
  statusText: optional(string),
  /** `ZapProtocolError.requestId`. */
  requestId: optional(bytes),
  stack: optional(string),
}
/** An error as it crosses threads; `reviveError` rebuilds the core error class from `code`. */
export type TransferredError = ShapeType<typeof errorFields> & { cause?: TransferredError }
const transferredError: Schema<TransferredError> = shape(
  { ...errorFields, cause: optional(lazy(() => transferredError, "an error")) },
  "an error"
)

const transferredRequest = shape(
  {
    version: string,
    requestId: bytes,
    domain: string,
    address: string,
    identity: bytes,
    mechanism: string,
    credentials: arrayOf(bytes),
  },
  "a request"
)
/** A ZAP request after structured clone: byte fields are `Uint8Array`. */
export type TransferredRequest = Infer<typeof transferredRequest>

const stringOrBytes = guard(
  (value): value is string | Uint8Array => typeof value === "string" || value instanceof Uint8Array,
  "a string or bytes"
)
const transferredReply = shape({
  requestId: bytes,
  statusCode: literal(200, 300, 400, 500),
  statusText: string,
  userId: string,
  metadata: optional(recordOf(stringOrBytes)),
})
/** A ZAP reply after structured clone. */
export type TransferredReply = Infer<typeof transferredReply>

const transferredReload = shape({
  domain: string,
  directory: string,
  added: number,
  removed: number,
  total: number,
  errors: arrayOf(transferredError),
  failure: optional(transferredError),
})
/** A `certificates:reload` event after structured clone. */
export type TransferredReload = Infer<typeof transferredReload>

const transferredDecision = shape({
  request: transferredRequest,
  reply: transferredReply,
  elapsedMs: number,
  error: optional(transferredError),
  blocked: optional(shape({ reason: literal("address", "address+user"), failures: number, retryAfterMs: number })),
})
/** A `decision` event after structured clone. */
export type TransferredDecision = Infer<typeof transferredDecision>

/** One argument of a store event: an error (rebuilt by `reviveError`) or a cloneable value. */
export type TransferredArgument = { error: TransferredError } | { value: unknown }
const transferredArgument: Schema<TransferredArgument> = {
  expected: "an error or a value",
  read(value, parent, key) {
    if (isRecord(value) && "error" in value) transferredError.read(value.error, at(parent, key), "error")
    else if (!isRecord(value) || !("value" in value)) invalid(at(parent, key), "an error or a value")
    return value as TransferredArgument
  },
}

// Argument values (domains, addresses, passwords, keys) are the engine's to judge: it rejects
// them with its own typed errors. Only the shape of a call is checked here.
const configurationCall = variants(
  "method",
  {
    allow: { addresses: arrayOf(judgedLater<string>()) },
    deny: { addresses: arrayOf(judgedLater<string>()) },
    configurePlain: {
      domain: judgedLater<string>(),
      passwords: guard((value): value is Record<string, string> | Map<string, string> => isRecord(value), "an object"),
    },
    configureCurve: {
      domain: judgedLater<string>(),
      /** `null` stands for `CURVE_ALLOW_ANY` (a symbol does not survive structured clone). */
      location: guard(
        (value): value is string | null => value === null || typeof value === "string",
        "a string or null"
      ),
      options: optional(judgedLater<{ watch?: boolean; debounceMs?: number; pollMs?: number }>()),
    },
    configureCurveKeys: { domain: judgedLater<string>(), keys: arrayOf(judgedLater<string | Uint8Array>()) },
    /** The callback stays on the main thread; the worker calls it by `callbackId`. */
    configureCurveCallback: { domain: judgedLater<string>(), callbackId: messageId },
    configureGssapi: { domain: judgedLater<string>() },
  },
  "a configuration call"
)
/** One configuration call of the engine, in a form that survives structured clone. */
export type ConfigurationCall = Infer<typeof configurationCall>

const reportedEvent = literal(
  "certificate:error",
  "protocol:error",
  "authenticate:error",
  "reply:error",
  "message:error",
  "worker:error"
)
/** Events of the worker's engine and handler that the main thread re-emits with an error. */
export type ReportedEvent = Infer<typeof reportedEvent>

const callbackRequest = variants(
  "callback",
  {
    curveKey: { callbackId: messageId, domain: string, publicKey: string },
    curveUserId: { publicKey: string, request: transferredRequest },
  },
  "a callback request"
)
/** A main-thread callback the worker asks for. */
export type CallbackRequest = Infer<typeof callbackRequest>

const mainMessage = variants("type", {
  configure: { id: messageId, call: configurationCall },
  "callback:result": { id: messageId, value: unknown },
  "callback:failed": { id: messageId, error: transferredError },
  stop: {},
})
/** Messages from the main thread to the worker. */
export type MainMessage = Infer<typeof mainMessage>

const workerMessage = variants("type", {
  ready: {},
  "start:failed": { error: transferredError },
  configured: { id: messageId },
  "configure:failed": { id: messageId, error: transferredError },
  decision: { event: transferredDecision },
  "certificates:reload": { event: transferredReload },
  "callback:call": { id: messageId, request: callbackRequest },
  /** An event of a credential store living in the worker; `Error` arguments as transferred errors. */
  "store:event": {
    name: literal(...(STORE_EVENTS as readonly StoreEventName[])),
    args: arrayOf(transferredArgument),
  },
  /** The engine no longer wants the answer of callback call `id`: its signal is aborted. */
  "callback:abort": { id: messageId, reason: string },
  report: { event: reportedEvent, error: transferredError, request: optional(transferredRequest) },
  /** Metrics recorded in the worker since the last batch, for the main thread's instruments. */
  metrics: { batch: guard((value): value is MetricsBatch => isMetricsBatch(value), "a metrics batch") },
  stopped: {},
})
/** Messages from the worker to the main thread. */
export type WorkerMessage = Infer<typeof workerMessage>

const workerSettings = shape(
  {
    endpoint: string,
    /** URL (href) of the ES module exporting `createAuthenticator(options)`. */
    module: optional(string),
    concurrency: optional(number),
    callbackTimeoutMs: optional(number),
    maxPendingChecks: optional(number),
    /** The engine's brute-force guard (its clock cannot cross threads), checked by the engine. */
    guard: optional(judgedLater<Omit<FailureGuardOptions, "now">>()),
    /** Whether `curveUserId` is a main-thread callback the worker has to call. */
    remoteCurveUserId: boolean,
    /** The configuration to apply, in order, before binding the ZAP endpoint. */
    policy: arrayOf(configurationCall),
    /**
     * One `Int32` on shared memory the worker sets to 1 (and notifies) once its ZAP socket is
     * closed, so a main thread inside `process.exit()` can wait for it synchronously.
     */
    closed: sharedFlag,
    /**
     * One `Int32` on shared memory the main thread sets to 1 while it has `decision` listeners:
     * the worker forwards decisions only then, so nobody pays for events nobody reads. Shared
     * memory, not a message, so a listener added on the main thread counts at once.
     */
    decisionsWanted: sharedFlag,
    /**
     * One `Int32` on shared memory the main thread sets to 1 while its metrics recorder is
     * enabled (a metrics SDK is registered), checked again every second: the worker measures
     * only then.
     */
    metricsWanted: sharedFlag,
  },
  "worker settings"
)
/** What the worker receives as `workerData`. */
export type WorkerSettings = Infer<typeof workerSettings>

/**
 * Validates a message received by the worker. Throws `AuthenticatorError`; the message is then
 * ignored and reported as `message:error`.
 */
export function readMainMessage(data: unknown): MainMessage {
  return mainMessage.read(data, MESSAGE)
}

/**
 * Validates a message received by the main thread. Throws `AuthenticatorError`; the message is
 * then ignored and reported as `message:error`.
 */
export function readWorkerMessage(data: unknown): WorkerMessage {
  return workerMessage.read(data, MESSAGE)
}

/** Validates the worker's `workerData`. Throws `AuthenticatorError`. */
export function readWorkerSettings(data: unknown): WorkerSettings {
  return workerSettings.read(data, "workerData")
}
