import type { Socket } from "zeromq"
import { AuthenticatorError } from "./errors.js"

/**
 * Makes a server socket fail closed: sets `zapDomain` (ZMQ_ZAP_DOMAIN) and `zapEnforceDomain`
 * (ZMQ_ZAP_ENFORCE_DOMAIN), so libzmq rejects its handshakes when no ZAP handler is bound
 * instead of accepting NULL and CURVE clients unchecked. Call before `bind()`.
 * Throws {@link AuthenticatorError} on an empty domain: libzmq skips ZAP for CURVE then.
 */
export function requireZap(socket: Socket, domain: string): void {
  if (typeof domain !== "string" || domain === "") {
    throw new AuthenticatorError("requireZap needs a non-empty ZAP domain: with an empty domain libzmq skips ZAP for CURVE")
  }
  const hardened = socket as Socket & { zapDomain: string; zapEnforceDomain: boolean }
  hardened.zapDomain = domain
  hardened.zapEnforceDomain = true
}
