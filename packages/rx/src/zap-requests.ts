import { ZAP_ENDPOINT, type ZapHandlerOptions, type ZapProtocolError } from "@zmq-auth/core"
import {
  messageOf,
  readEndpointOptions,
  releaseInProgress,
  ZapEndpoint,
  type ZapExchange,
} from "@zmq-auth/core/internal"
import { Observable } from "rxjs"
import { context as globalContext, type Context } from "zeromq"

/** Options of {@link zapRequests}. */
export interface ZapRequestsOptions extends ZapHandlerOptions {
  /**
   * Unanswered exchanges at once per subscription; further requests wait in libzmq's queue
   * until one is answered. Default 1024.
   */
  concurrency?: number
  /**
   * Called with each malformed request (too few frames, a version other than "1.0", the wrong
   * credentials for its mechanism). It was already answered 400 when it had a request id, or
   * dropped; it is never emitted.
   */
  onProtocolError?: (error: ZapProtocolError) => void
  /** Called when a reply could not be handed to libzmq (the client's session is gone). */
  onReplyError?: (error: Error) => void
}

const INTERNAL_ERROR = { statusCode: 500, statusText: "Internal error", userId: "" } as const
const SHARE_HINT =
  " (one subscription per endpoint: to fan the requests out to several consumers, share() one zapRequests() stream)"

/**
 * The ZAP endpoint as a cold stream of request/reply exchanges.
 *
 * Subscribing binds a ROUTER at the endpoint synchronously; handshakes that start once it is
 * bound are decided by the subscriber, which must answer every exchange once. Unsubscribing (or
 * an error downstream) denies every unanswered exchange with 500 "Internal error", then releases
 * the socket in the background. A subscription made while an earlier one is still releasing
 * takes over its socket, still bound, with the requests queued in it: resubscribing
 * (unsubscribe then subscribe, `retry()`, `repeat()`) never leaves the endpoint without a
 * handler. When no subscription is waiting, the releasing one unbinds and closes the socket;
 * {@link zapEndpointReleased} resolves when every ended subscription has unbound or handed over.
 * Before the first subscription and after the last, libzmq accepts NULL and CURVE handshakes
 * unchecked: harden servers with `requireZap` so they fail closed then.
 *
 * One subscription at a time serves an endpoint: a second one gets an `error` notification
 * carrying an `AuthenticatorError` ("already has a ZAP handler"), as does any binding failure.
 * To hand the requests to several consumers, `share()` one stream. Malformed requests are
 * answered 400 like `ZapHandler` answers them and reported to `onProtocolError`, never emitted.
 *
 * Throws `TypeError` naming an invalid option.
 */
export function zapRequests(options: ZapRequestsOptions = {}): Observable<ZapExchange> {
  const endpointOptions = readEndpointOptions(options)
  for (const name of ["onProtocolError", "onReplyError"] as const) {
    if (options[name] !== undefined && typeof options[name] !== "function")
      throw new TypeError(`${name} must be a function`)
  }
  const { onProtocolError, onReplyError } = options
  return new Observable<ZapExchange>((subscriber) => {
    let endpoint: ZapEndpoint
    try {
      endpoint = ZapEndpoint.open(
        {
          exchange: (exchange) => (subscriber.closed ? exchange.reply(INTERNAL_ERROR) : subscriber.next(exchange)),
          protocolError: (error) => report(onProtocolError, error),
          replyError: (error) => report(onReplyError, error),
        },
        endpointOptions,
        SHARE_HINT
      )
    } catch (error) {
      subscriber.error(error)
      return undefined
    }
    endpoint.ready.catch((error: unknown) => subscriber.error(error))
    return () => {
      endpoint.denyUnanswered()
      void endpoint.release()
    }
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

function report<T>(listener: ((value: T) => void) | undefined, value: T): void {
  if (listener === undefined) return
  try {
    listener(value)
  } catch (listenerError) {
    process.emitWarning(`a zmq-auth rx callback threw: ${messageOf(listenerError)}`)
  }
}
