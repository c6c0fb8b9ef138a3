import { ZAP_ENDPOINT } from "@zmq-auth/core"
import { context as globalContext, type Context } from "zeromq"

const releases = new Map<Context, Map<string, Promise<void>>>()

/** The release in progress of `endpoint` in `context`, if a subscription is still letting it go. */
export function releaseInProgress(context: Context, endpoint: string): Promise<void> | undefined {
  return releases.get(context)?.get(endpoint)
}

/** Records that a subscription is releasing `endpoint` in `context`; `release` must not reject. */
export function trackRelease(context: Context, endpoint: string, release: Promise<void>): void {
  let endpoints = releases.get(context)
  if (endpoints === undefined) {
    endpoints = new Map()
    releases.set(context, endpoints)
  }
  const previous = endpoints.get(endpoint)
  const combined = previous === undefined ? release : Promise.all([previous, release]).then(() => undefined)
  endpoints.set(endpoint, combined)
  void combined.then(() => {
    if (endpoints.get(endpoint) !== combined) return
    endpoints.delete(endpoint)
    if (endpoints.size === 0) releases.delete(context)
  })
}

/**
 * Resolves once every {@link zapRequests} subscription that ended has released the ZAP endpoint:
 * remaining requests answered, then the endpoint unbound and the socket closed, or the socket
 * handed over to a subscription made meanwhile (which then holds the endpoint). After the last
 * subscription ended, the endpoint is free once this resolves. Unsubscribing is synchronous,
 * releasing is not; await this before binding the endpoint with something else (a `ZapHandler`,
 * another process-wide handler). A new `zapRequests` subscription needs no waiting: it takes
 * over the socket being released.
 *
 * @param options the `context` (default: zeromq's global context) and `endpoint` (default
 * `inproc://zeromq.zap.01`) given to `zapRequests`
 */
export async function zapEndpointReleased(options: { context?: Context; endpoint?: string } = {}): Promise<void> {
  await releaseInProgress(options.context ?? globalContext, options.endpoint ?? ZAP_ENDPOINT)
}
