import { z85, type ZapRequest } from "@zmq-auth/core"

/** A well-formed ZAP request as a handler passes it to `authenticate()`: NULL, domain "d", from 127.0.0.1. */
export function zapRequest(fields: Partial<ZapRequest> = {}): ZapRequest {
  return {
    version: "1.0",
    requestId: Buffer.from("1"),
    domain: "d",
    address: "127.0.0.1",
    identity: Buffer.alloc(0),
    mechanism: "NULL",
    credentials: [],
    ...fields,
  }
}

/** A PLAIN request of `domain` with this user name and password. */
export function plainRequest(username: string, password: string, domain = "d"): ZapRequest {
  return zapRequest({ domain, mechanism: "PLAIN", credentials: [Buffer.from(username), Buffer.from(password)] })
}

/** A CURVE request of `domain` from the client whose public key is `publicKey` (Z85). */
export function curveRequest(publicKey: string, domain = "d"): ZapRequest {
  return zapRequest({ domain, mechanism: "CURVE", credentials: [z85.decode(publicKey)] })
}
