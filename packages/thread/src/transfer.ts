import {
  AuthenticatorError,
  CertificateError,
  ZapProtocolError,
  type CertificateReloadEvent,
  type DecisionEvent,
  type ZapReply,
  type ZapRequest,
} from "@zmq-auth/core"
import type {
  TransferredArgument,
  TransferredDecision,
  TransferredError,
  TransferredReload,
  TransferredReply,
  TransferredRequest,
} from "./messages.js"

const MAX_CAUSE_DEPTH = 4

/** The cloneable form of a thrown value, keeping the fields of the core error classes. */
export function transferError(error: unknown, depth = 0): TransferredError {
  if (!(error instanceof Error)) return { name: "Error", message: String(error) }
  const fields = error as Error & { code?: unknown; file?: unknown; statusText?: unknown; requestId?: unknown }
  const transferred: TransferredError = { name: error.name, message: error.message }
  if (typeof fields.code === "string") transferred.code = fields.code
  if (typeof fields.file === "string") transferred.file = fields.file
  if (typeof fields.statusText === "string") transferred.statusText = fields.statusText
  if (fields.requestId instanceof Uint8Array) transferred.requestId = transferBytes(fields.requestId)
  if (typeof error.stack === "string") transferred.stack = error.stack
  if (error.cause !== undefined && depth < MAX_CAUSE_DEPTH) transferred.cause = transferError(error.cause, depth + 1)
  return transferred
}

/**
 * Rebuilds an error received from the other thread: `AuthenticatorError`, `CertificateError`
 * and `ZapProtocolError` by their `code`, with the same class, message and fields; other errors
 * as `Error` with the original name. The stack is the one of the thread that threw.
 */
export function reviveError(transferred: TransferredError): Error {
  const cause = transferred.cause === undefined ? undefined : reviveError(transferred.cause)
  const options = cause === undefined ? {} : { cause }
  let error: Error
  switch (transferred.code) {
    case "ERR_AUTHENTICATOR":
      error = new AuthenticatorError(transferred.message, options)
      break
    case "ERR_CERTIFICATE":
      error = new CertificateError(transferred.file ?? "", "", options)
      error.message = transferred.message
      break
    case "ERR_ZAP_PROTOCOL":
      error = new ZapProtocolError(transferred.message, {
        ...options,
        ...(transferred.statusText === undefined ? {} : { statusText: transferred.statusText }),
        ...(transferred.requestId === undefined ? {} : { requestId: toBuffer(transferred.requestId) }),
      })
      break
    default:
      error =
        transferred.name === "TypeError"
          ? new TypeError(transferred.message, options)
          : new Error(transferred.message, options)
      error.name = transferred.name
      if (transferred.code !== undefined) (error as Error & { code: string }).code = transferred.code
  }
  if (transferred.stack !== undefined) error.stack = transferred.stack
  return error
}

/** The cloneable form of a store event's arguments. */
export function transferArguments(args: readonly unknown[]): TransferredArgument[] {
  return args.map((arg) => (arg instanceof Error ? { error: transferError(arg) } : { value: arg }))
}

/** A store event's arguments received from the worker, with errors rebuilt. */
export function reviveArguments(args: readonly TransferredArgument[]): unknown[] {
  return args.map((arg) => ("error" in arg ? reviveError(arg.error) : arg.value))
}

/** A `Buffer` view of bytes that crossed threads as `Uint8Array` (no copy). */
export function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/** A ZAP request received from the other thread, with `Buffer` fields again. */
export function reviveRequest(request: TransferredRequest): ZapRequest {
  return {
    version: request.version,
    requestId: toBuffer(request.requestId),
    domain: request.domain,
    address: request.address,
    identity: toBuffer(request.identity),
    mechanism: request.mechanism,
    credentials: request.credentials.map(toBuffer),
  }
}

function reviveReply(reply: TransferredReply): ZapReply {
  const revived: ZapReply = {
    requestId: toBuffer(reply.requestId),
    statusCode: reply.statusCode,
    statusText: reply.statusText,
    userId: reply.userId,
  }
  if (reply.metadata !== undefined) {
    const metadata: Record<string, string | Buffer> = {}
    for (const [name, value] of Object.entries(reply.metadata))
      metadata[name] = typeof value === "string" ? value : toBuffer(value)
    revived.metadata = metadata
  }
  return revived
}

/**
 * Bytes ready for structured clone. A view into a larger buffer (Node's pool) would carry the
 * whole underlying memory across; it is copied to exactly its own bytes instead.
 */
export function transferBytes(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes)
}

/** The cloneable form of a ZAP request. */
export function transferRequest(request: ZapRequest): TransferredRequest {
  return {
    version: request.version,
    requestId: transferBytes(request.requestId),
    domain: request.domain,
    address: request.address,
    identity: transferBytes(request.identity),
    mechanism: request.mechanism,
    credentials: request.credentials.map(transferBytes),
  }
}

function transferReply(reply: ZapReply): TransferredReply {
  const transferred: TransferredReply = {
    requestId: transferBytes(reply.requestId),
    statusCode: reply.statusCode,
    statusText: reply.statusText,
    userId: reply.userId,
  }
  if (reply.metadata !== undefined) {
    const metadata: Record<string, string | Uint8Array> = {}
    for (const [name, value] of Object.entries(reply.metadata))
      metadata[name] = typeof value === "string" ? value : transferBytes(value)
    transferred.metadata = metadata
  }
  return transferred
}

/** The fields of a decision event that cross in another form; the others cross as they are. */
type RebuiltDecisionFields = "request" | "reply" | "error"
/** Whether `A` and `B` have the same keys and each is assignable to the other. */
type Same<A, B> = [A, keyof A] extends [B, keyof B] ? ([B, keyof B] extends [A, keyof A] ? true : false) : false
/** Compiles only while the decision shape of messages.ts spells every other field of `DecisionEvent`. */
const decisionShapeComplete: Same<
  Omit<DecisionEvent, RebuiltDecisionFields>,
  Omit<TransferredDecision, RebuiltDecisionFields>
> = true
void decisionShapeComplete

/** The cloneable form of a decision event. */
export function transferDecision(event: DecisionEvent): TransferredDecision {
  const { request, reply, error, ...plain } = event
  const transferred: TransferredDecision = {
    ...plain,
    request: transferRequest(request),
    reply: transferReply(reply),
  }
  if (error !== undefined) transferred.error = transferError(error)
  return transferred
}

/** A decision event received from the worker, shaped exactly as the engine emits it. */
export function reviveDecision(transferred: TransferredDecision): DecisionEvent {
  const { request, reply, error, ...plain } = transferred
  const event: DecisionEvent = { ...plain, request: reviveRequest(request), reply: reviveReply(reply) }
  if (error !== undefined) event.error = reviveError(error)
  return event
}

/** The cloneable form of a `certificates:reload` event. */
export function transferReload(event: CertificateReloadEvent): TransferredReload {
  const transferred: TransferredReload = {
    domain: event.domain,
    directory: event.directory,
    added: event.added,
    removed: event.removed,
    total: event.total,
    errors: event.errors.map((error) => transferError(error)),
  }
  if (event.failure !== undefined) transferred.failure = transferError(event.failure)
  return transferred
}

/** A `certificates:reload` event received from the worker, with `CertificateError`s again. */
export function reviveReload(transferred: TransferredReload): CertificateReloadEvent {
  const event: CertificateReloadEvent = {
    domain: transferred.domain,
    directory: transferred.directory,
    added: transferred.added,
    removed: transferred.removed,
    total: transferred.total,
    errors: transferred.errors.map((error) => reviveError(error) as CertificateError),
  }
  if (transferred.failure !== undefined) event.failure = reviveError(transferred.failure) as CertificateError
  return event
}
