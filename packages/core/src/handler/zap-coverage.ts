import { context as globalContext, type Context, type Socket } from "zeromq"
import { ZAP_ENDPOINT } from "../constants.js"

/** Code of the warning: a socket was hardened in a context that no ZAP handler serves. */
export const NO_ZAP_HANDLER_WARNING = "ZMQ_AUTH_NO_ZAP_HANDLER"
/** Code of the warning: the last ZAP handler of a context stopped while hardened sockets remain. */
export const ZAP_HANDLER_STOPPED_WARNING = "ZMQ_AUTH_ZAP_HANDLER_STOPPED"

const serving = new Map<Context, number>()
const hardened = new WeakMap<Context, Set<WeakRef<Socket>>>()
const warned = new WeakMap<Context, Set<string>>()

/** Records that a ZAP handler serves `address` in `context` (in this thread or another). */
export function servingStarted(context: Context, address: string): void {
  if (address !== ZAP_ENDPOINT) return
  serving.set(context, (serving.get(context) ?? 0) + 1)
}

/** Records that one handler of `address` in `context` stopped; warns when hardened sockets are left without any. */
export function servingStopped(context: Context, address: string): void {
  if (address !== ZAP_ENDPOINT) return
  const count = (serving.get(context) ?? 1) - 1
  if (count > 0) {
    serving.set(context, count)
    return
  }
  serving.delete(context)
  if (openHardenedSockets(context) === 0) return
  warnOnce(
    context,
    ZAP_HANDLER_STOPPED_WARNING,
    "the ZAP handler of a context stopped while sockets hardened with requireZap remain open: they reject every " +
      "handshake until a handler serves again. Start a ZapHandler, ThreadAuthenticator or zapRequests() subscription " +
      "again, or close those sockets."
  )
}

/**
 * Records that a handler running on another thread (a worker serves zeromq's global context,
 * shared by every thread) serves `address` until `ended` settles.
 */
export function servingOnAnotherThread(address: string, ended: Promise<unknown>): void {
  servingStarted(globalContext, address)
  const stopped = (): void => servingStopped(globalContext, address)
  ended.then(stopped, stopped)
}

/**
 * Records a socket hardened with `requireZap`; warns once per context when no ZAP handler serves
 * its context, since it then rejects every handshake.
 */
export function hardenedSocket(socket: Socket): void {
  const context = socket.context
  let sockets = hardened.get(context)
  if (sockets === undefined) {
    sockets = new Set()
    hardened.set(context, sockets)
  }
  sockets.add(new WeakRef(socket))
  if ((serving.get(context) ?? 0) > 0) return
  warnOnce(
    context,
    NO_ZAP_HANDLER_WARNING,
    "requireZap: no ZAP handler serves this socket's context, so the socket rejects every handshake until one " +
      "does. Start a ZapHandler, ThreadAuthenticator or zapRequests() subscription before clients connect, in the " +
      "same context (the socket's `context` option, if it has one) and with the same zeromq copy."
  )
}

function openHardenedSockets(context: Context): number {
  const sockets = hardened.get(context)
  if (sockets === undefined) return 0
  for (const reference of sockets) {
    const socket = reference.deref()
    if (socket === undefined || socket.closed) sockets.delete(reference)
  }
  if (sockets.size === 0) hardened.delete(context)
  return sockets.size
}

function warnOnce(context: Context, code: string, message: string): void {
  let codes = warned.get(context)
  if (codes === undefined) {
    codes = new Set()
    warned.set(context, codes)
  }
  if (codes.has(code)) return
  codes.add(code)
  process.emitWarning(message, { code })
}
