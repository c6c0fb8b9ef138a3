/** Stable string codes carried by every zmq-auth error. */
export type ZmqAuthErrorCode = "ERR_ZAP_PROTOCOL" | "ERR_CERTIFICATE" | "ERR_AUTHENTICATOR"

/**
 * A ZAP message that does not follow RFC 27: too few frames, a version other than "1.0",
 * the wrong number of credentials for its mechanism, or an undecodable metadata blob.
 *
 * When the request id could be read, {@link ZapProtocolError.requestId} holds it and the
 * handler answers 400 with {@link ZapProtocolError.statusText}; otherwise the message is dropped.
 */
export class ZapProtocolError extends Error {
  /** Always `"ERR_ZAP_PROTOCOL"`. */
  readonly code = "ERR_ZAP_PROTOCOL" as const
  /** Request id of the malformed request, when the message had one. */
  readonly requestId: Buffer | undefined
  /** The status text a 400 reply carries, as pyzmq words it ("Not enough frames", ...). */
  readonly statusText: string

  /** @param message what was wrong, without secrets */
  constructor(message: string, options: { statusText?: string; requestId?: Buffer; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = "ZapProtocolError"
    this.statusText = options.statusText ?? "Invalid request"
    this.requestId = options.requestId
  }
}

/** A certificate file or directory that cannot be read, parsed or written. Names the file. */
export class CertificateError extends Error {
  /** Always `"ERR_CERTIFICATE"`. */
  readonly code = "ERR_CERTIFICATE" as const
  /** The file or directory the error is about. */
  readonly file: string

  /** @param file the path the error is about; the message is prefixed with it */
  constructor(file: string, message: string, options: { cause?: unknown } = {}) {
    super(`${file}: ${message}`, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = "CertificateError"
    this.file = file
  }
}

/**
 * Misuse of the engine or a handler: allow and deny together, a malformed key, a callback that
 * failed or timed out, start twice, a ZAP endpoint that already has a handler.
 */
export class AuthenticatorError extends Error {
  /** Always `"ERR_AUTHENTICATOR"`. */
  readonly code = "ERR_AUTHENTICATOR" as const

  /** @param message what was wrong, without secrets */
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = "AuthenticatorError"
  }
}
