import { ZapProtocolError } from "../errors.js"
import { unpooledCopy } from "../unpooled.js"
import { FrameTextCache, frameIs } from "./frame-text.js"

/** A ZAP request (RFC 27) as libzmq sends it to the handler, after the routing envelope. */
export interface ZapRequest {
  /** Protocol version, `"1.0"` for every valid request. */
  version: string
  /** Opaque id the reply must echo. */
  requestId: Buffer
  /** The server socket's `zapDomain` (may be empty). */
  domain: string
  /** The peer's IP address as libzmq reports it (empty for inproc). */
  address: string
  /**
   * The server socket's own routing id (ZMQ_ROUTING_ID, may be empty): libzmq sends it, not the
   * peer's (zap_client.cpp).
   */
  identity: Buffer
  /** One of {@link Mechanism} for valid requests. */
  mechanism: string
  /** PLAIN: [username, password]; CURVE: [32-byte public key]; GSSAPI: [principal]; NULL: []. */
  credentials: Buffer[]
}

/** How many credential frames each mechanism carries (RFC 27). */
export const CREDENTIAL_COUNTS: Readonly<Record<string, number>> = { NULL: 0, PLAIN: 2, CURVE: 1, GSSAPI: 1 }

/** Size of a CURVE public key in bytes. */
export const CURVE_KEY_BYTES = 32

/**
 * Returns the status text of a 400 reply when `request` breaks RFC 27 (version, credential
 * count or CURVE key size), or `undefined` when it is well formed. Unknown mechanisms are
 * well formed here: the policy denies them.
 */
export function findRequestFault(request: ZapRequest): string | undefined {
  if (request.version !== "1.0") return "Invalid version"
  const expected = CREDENTIAL_COUNTS[request.mechanism]
  if (expected === undefined) return undefined
  if (!Array.isArray(request.credentials) || request.credentials.length !== expected) return "Invalid credentials"
  if (request.mechanism === "CURVE" && request.credentials[0]!.length !== CURVE_KEY_BYTES) return "Invalid credentials"
  return undefined
}

const MECHANISMS = ["NULL", "PLAIN", "CURVE", "GSSAPI"] as const

/** The mechanism frame as text, without decoding the four known names anew for every request. */
function mechanismName(frame: Buffer): string {
  for (const name of MECHANISMS) if (frameIs(frame, name)) return name
  return frame.toString("latin1")
}

/** Domains and peer addresses repeat from one request to the next: decoded once, remembered. */
const DOMAINS = new FrameTextCache()
const ADDRESSES = new FrameTextCache()

/**
 * Parses the frames of a ZAP request (without the routing envelope): version, request id,
 * domain, address, identity, mechanism, then the credentials.
 *
 * Throws {@link ZapProtocolError} with the request id (when at least two frames arrived) and
 * the status text to answer: "Not enough frames", "Invalid version" or "Invalid credentials".
 */
export function parseZapRequest(frames: readonly Buffer[]): ZapRequest {
  return parseZapRequestAt(frames, 0)
}

/**
 * {@link parseZapRequest} of the frames from `start` on (after a routing envelope), without
 * copying the array first.
 */
export function parseZapRequestAt(frames: readonly Buffer[], start: number): ZapRequest {
  const count = frames.length - start
  if (count < 6) {
    throw new ZapProtocolError(`ZAP request has ${count} frames, at least 6 are needed`, {
      statusText: "Not enough frames",
      requestId: count >= 2 ? unpooledCopy(frames[start + 1]!) : undefined,
    })
  }
  const version = frames[start]!
  const request: ZapRequest = {
    version: frameIs(version, "1.0") ? "1.0" : version.toString("latin1"),
    requestId: frames[start + 1]!,
    domain: DOMAINS.decode(frames[start + 2]!),
    address: ADDRESSES.decode(frames[start + 3]!),
    identity: frames[start + 4]!,
    mechanism: mechanismName(frames[start + 5]!),
    // NULL has no credential frames: a new empty array costs less than slice().
    credentials: frames.length === start + 6 ? [] : frames.slice(start + 6),
  }
  const fault = findRequestFault(request)
  if (fault !== undefined) {
    const detail =
      fault === "Invalid version"
        ? `ZAP version ${JSON.stringify(request.version.slice(0, 16))} is not "1.0"`
        : `${request.mechanism} request has ${request.credentials.length} credential frames of the wrong count or size`
    throw new ZapProtocolError(detail, { statusText: fault, requestId: request.requestId })
  }
  return request
}
