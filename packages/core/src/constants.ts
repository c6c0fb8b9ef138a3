/** The endpoint libzmq sends ZAP requests to (RFC 27), in the socket's own context. */
export const ZAP_ENDPOINT = "inproc://zeromq.zap.01"

/**
 * Passed to `configureCurve` instead of a directory: any CURVE client key is accepted for that
 * domain (the client still has to know the server's public key to finish the handshake).
 */
export const CURVE_ALLOW_ANY: unique symbol = Symbol.for("zmq-auth.curve-allow-any")

/** The security mechanisms a ZAP request can name. */
export type Mechanism = "NULL" | "PLAIN" | "CURVE" | "GSSAPI"

/** ZAP status codes: 200 allow, 300 temporary failure, 400 deny, 500 internal error. */
export type StatusCode = 200 | 300 | 400 | 500
