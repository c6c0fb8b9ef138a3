import type { Socket } from "zeromq"
import { AuthenticatorError } from "./errors.js"
import { hardenedSocket } from "./handler/zap-coverage.js"
import { assertSameZeromqSocket } from "./same-zeromq.js"
import { endpointState } from "./socket-endpoints.js"

const CALL_BEFORE_BIND =
  "call requireZap before bind() and connect(): libzmq applies zapDomain only to endpoints added afterwards"

/**
 * Makes a server socket fail closed: sets `zapDomain` (ZMQ_ZAP_DOMAIN) and `zapEnforceDomain`
 * (ZMQ_ZAP_ENFORCE_DOMAIN), so libzmq rejects its handshakes when no ZAP handler is bound
 * instead of accepting NULL and CURVE clients unchecked. Call before `bind()` and `connect()`.
 *
 * Such a socket rejects every client while no handler serves its context, silently on the
 * server's side: a process warning (code `ZMQ_AUTH_NO_ZAP_HANDLER`) says so once per context
 * when this is called with no handler running there, and another (`ZMQ_AUTH_ZAP_HANDLER_STOPPED`)
 * when the last handler of the context stops while hardened sockets remain open.
 *
 * @throws {@link AuthenticatorError} on an empty domain (libzmq skips ZAP for CURVE then); on a
 * socket that is closed, already bound or connected, or has a `bind()` in progress (nothing is
 * set then); on a socket of another zeromq copy than the one this package loads.
 * @throws `TypeError` when `socket` is not a zeromq socket.
 */
export function requireZap(socket: Socket, domain: string): void {
  assertSameZeromqSocket(socket, "requireZap's socket")
  if (typeof domain !== "string" || domain === "") {
    throw new AuthenticatorError(
      "requireZap needs a non-empty ZAP domain: with an empty domain libzmq skips ZAP for CURVE"
    )
  }
  if (socket.closed) throw new AuthenticatorError("requireZap: the socket is closed")
  const state = endpointState(socket)
  if (state.kind === "endpoint")
    throw new AuthenticatorError(
      `requireZap: the socket is already bound or connected (${state.endpoint}); ${CALL_BEFORE_BIND}`
    )
  if (state.kind === "bind in progress")
    throw new AuthenticatorError(`requireZap: the socket has a bind() or unbind() in progress; ${CALL_BEFORE_BIND}`)
  socket.zapDomain = domain
  socket.zapEnforceDomain = true
  hardenedSocket(socket)
}
