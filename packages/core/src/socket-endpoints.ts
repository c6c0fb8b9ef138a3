import { randomUUID } from "node:crypto"
import type { Socket } from "zeromq"

/** What a socket has that makes options set now too late for it. */
export type EndpointState = { kind: "none" } | { kind: "endpoint"; endpoint: string } | { kind: "bind in progress" }

/**
 * Tells whether `socket` (open) has been bound or connected, or has a `bind()`/`unbind()` still
 * running on zeromq.js's worker thread; libzmq applies most options only to endpoints added
 * after they are set.
 *
 * A running bind is told by zeromq.js itself: it refuses `disconnect()` with EBUSY then, before
 * calling libzmq (reading or setting options at that moment races with the bind). The endpoint
 * disconnected is a fresh inproc name that nothing ever connected to, so on an idle socket the
 * call fails with ENOENT and changes nothing.
 */
export function endpointState(socket: Socket): EndpointState {
  try {
    socket.disconnect(`inproc://zmq-auth-probe-${randomUUID()}`)
  } catch (error) {
    if ((error as { code?: unknown }).code === "EBUSY") return { kind: "bind in progress" }
  }
  const endpoint = socket.lastEndpoint
  return endpoint === null ? { kind: "none" } : { kind: "endpoint", endpoint }
}
