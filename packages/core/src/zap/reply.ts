import type { StatusCode } from "../constants.js"
import { ZapProtocolError } from "../errors.js"
import { encodeMetadata } from "./metadata.js"

/** A ZAP reply (RFC 27). */
export interface ZapReply {
  /** The request id being answered. */
  requestId: Buffer
  /** 200 allow, 300 temporary failure, 400 deny, 500 internal error. */
  statusCode: StatusCode
  /** Human-readable reason, e.g. "OK", "Unknown key". */
  statusText: string
  /** The authenticated user id, `""` when denied. libzmq exposes it as the "User-Id" property. */
  userId: string
  /** ZMTP metadata properties returned to libzmq; readable on the server's messages. */
  metadata?: Record<string, string | Buffer>
}

const VERSION = Buffer.from("1.0")
const EMPTY = Buffer.alloc(0)
const STATUS_FRAMES: Readonly<Record<number, Buffer>> = {
  200: Buffer.from("200"),
  300: Buffer.from("300"),
  400: Buffer.from("400"),
  500: Buffer.from("500"),
}

const TEXT_CACHE_LIMIT = 256
const STATUS_TEXTS = new Map<string, Buffer>()
const USER_IDS = new Map<string, Buffer>()

/** The bytes of `text`, encoded once while `cache` has room: status texts, and user ids such as NULL's. */
function textFrame(cache: Map<string, Buffer>, text: string): Buffer {
  let frame = cache.get(text)
  if (frame === undefined) {
    frame = Buffer.from(text, "utf8")
    if (cache.size < TEXT_CACHE_LIMIT) cache.set(text, frame)
  }
  return frame
}

/** The frame of `statusCode`; throws {@link ZapProtocolError} on a code other than 200, 300, 400 or 500. */
function statusFrame(statusCode: unknown): Buffer {
  const status = typeof statusCode === "number" ? STATUS_FRAMES[statusCode] : undefined
  if (status === undefined)
    throw new ZapProtocolError(
      `ZAP status code must be the number 200, 300, 400 or 500, got ${JSON.stringify(statusCode)}`
    )
  return status
}

/**
 * Encodes a reply as its 6 frames: "1.0", request id, status code, status text, user id and
 * metadata. Throws {@link ZapProtocolError} on a status code other than 200, 300, 400 or 500.
 */
export function encodeZapReply(reply: ZapReply): Buffer[] {
  const status = statusFrame(reply.statusCode)
  if (!Buffer.isBuffer(reply.requestId)) throw new ZapProtocolError("ZAP reply needs the request id as a Buffer")
  return [
    VERSION,
    reply.requestId,
    status,
    textFrame(STATUS_TEXTS, reply.statusText),
    reply.statusCode === 200 && reply.userId !== "" ? textFrame(USER_IDS, reply.userId) : EMPTY,
    reply.metadata === undefined ? EMPTY : encodeMetadata(reply.metadata),
  ]
}

/**
 * The message a ROUTER sends to answer `requestId` of the peer `routingId`: routing id, empty
 * delimiter, then the 6 frames of {@link encodeZapReply}, built in one array. Throws
 * {@link ZapProtocolError} as {@link encodeZapReply} does.
 */
export function encodeRoutedZapReply(
  routingId: Buffer,
  requestId: Buffer,
  statusCode: StatusCode,
  statusText: string,
  userId: string,
  metadata: ZapReply["metadata"]
): Buffer[] {
  return [
    routingId,
    EMPTY,
    VERSION,
    requestId,
    statusFrame(statusCode),
    textFrame(STATUS_TEXTS, statusText),
    statusCode === 200 && userId !== "" ? textFrame(USER_IDS, userId) : EMPTY,
    metadata === undefined ? EMPTY : encodeMetadata(metadata),
  ]
}
