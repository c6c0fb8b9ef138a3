import { randomBytes } from "node:crypto"
import { Dealer, Router, type Context } from "zeromq"

const SOCKET_OPTIONS = { linger: 1000, sendTimeout: 1000 }
const WAKE_PREFIX = "zmq-auth-wake-"
/** The waker's routing id: the prefix and 16 hex digits, longer than the 5 bytes ROUTER gives its peers. */
const WAKE_ID_LENGTH = WAKE_PREFIX.length + 16
const EMPTY = Buffer.alloc(0)

/**
 * A ROUTER bound at a ZAP address, with the DEALER that can end its pending `receive()`:
 * zeromq.js must not unbind while a receive is pending, and stopping must not need a socket it
 * cannot create at a resource limit, so the waker is made with the ROUTER and travels with it.
 */
export interface BoundSocket {
  readonly router: Router
  readonly waker: Dealer
  readonly address: string
}

/** Creates the ROUTER and its waker and binds the ROUTER at once; throws what zeromq threw, creating nothing. */
export function bindSocket(context: Context, address: string): BoundSocket {
  const router = new Router({ ...SOCKET_OPTIONS, context })
  let waker: Dealer | undefined
  try {
    waker = new Dealer({ context, linger: 0, routingId: `${WAKE_PREFIX}${randomBytes(8).toString("hex")}` })
    // Synchronous, so that handshakes that start once this returns are decided by the caller.
    router.bindSync(address)
    waker.connect(address)
  } catch (error) {
    waker?.close()
    router.close()
    throw error
  }
  return { router, waker, address }
}

/** Whether `frames` are a wake message rather than a ZAP request. */
export function isWakeMessage(frames: readonly Buffer[]): boolean {
  const routingId = frames[0]
  if (routingId?.length !== WAKE_ID_LENGTH) return false
  for (let index = 0; index < WAKE_PREFIX.length; index++)
    if (routingId[index] !== WAKE_PREFIX.charCodeAt(index)) return false
  return true
}

/** Ends the pending `receive()` of `bound.router`; rejects when the message cannot be sent. */
export async function wake(bound: BoundSocket): Promise<void> {
  await bound.waker.send(EMPTY)
}

/** Closes both sockets; never throws. */
export function closeSocket(bound: BoundSocket): void {
  bound.waker.close()
  bound.router.close()
}
