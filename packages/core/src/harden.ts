import type { Socket } from "zeromq"
import { AuthenticatorError } from "./errors.js"
import { hardenedSocket } from "./handler/zap-coverage.js"

/**
 * Makes a server socket fail closed: sets `zapDomain` (ZMQ_ZAP_DOMAIN) and `zapEnforceDomain`
 * (ZMQ_ZAP_ENFORCE_DOMAIN), so libzmq rejects its handshakes when no ZAP handler is bound
 * instead of accepting NULL and CURVE clients unchecked. Call before `bind()`.
 * Throws {@link AuthenticatorError} on an empty domain: libzmq skips ZAP for CURVE then.
 *
 * Such a socket rejects every client while no handler serves its context, silently on the
 * server's side: a process warning (code `ZMQ_AUTH_NO_ZAP_HANDLER`) says so once per context
 * when this is called with no handler running there, and another (`ZMQ_AUTH_ZAP_HANDLER_STOPPED`)
 * when the last handler of the context stops while hardened sockets remain open.
 */
export function requireZap(socket: Socket, domain: string): void {
  if (typeof domain !== "string" || domain === "") {
    throw new AuthenticatorError("requireZap needs a non-empty ZAP domain: with an empty domain libzmq skips ZAP for CURVE")
  }
  const hardened = socket as Socket & { zapDomain: string; zapEnforceDomain: boolean }
  hardened.zapDomain = domain
  hardened.zapEnforceDomain = true
  hardenedSocket(socket)
}
