import { ZAP_ENDPOINT, type ZapHandlerOptions, type ZapProtocolError } from "@zmq-auth/core"
import { Observable } from "rxjs"
import { context as globalContext } from "zeromq"
import { ZapEndpointSession, type SessionSettings } from "./zap-endpoint-session.js"
import type { ZapExchange } from "./zap-exchange.js"

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

const DEFAULT_CONCURRENCY = 1024

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
 * A binding failure, such as an endpoint that already has a handler, arrives as an `error`
 * notification carrying an `AuthenticatorError`. Malformed requests are answered 400 like
 * `ZapHandler` answers them and reported to `onProtocolError`, never emitted.
 *
 * Throws `TypeError` naming an invalid option.
 */
export function zapRequests(options: ZapRequestsOptions = {}): Observable<ZapExchange> {
  const settings = validate(options)
  return new Observable<ZapExchange>((subscriber) => {
    const session = new ZapEndpointSession(settings, subscriber)
    session.open()
    return () => session.close()
  })
}

function validate(options: ZapRequestsOptions): SessionSettings {
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new TypeError(`concurrency must be a positive integer, got ${String(concurrency)}`)
  }
  const endpoint = options.endpoint ?? ZAP_ENDPOINT
  if (typeof endpoint !== "string" || endpoint === "") throw new TypeError("endpoint must be a non-empty string")
  for (const name of ["onProtocolError", "onReplyError"] as const) {
    if (options[name] !== undefined && typeof options[name] !== "function") throw new TypeError(`${name} must be a function`)
  }
  return {
    context: options.context ?? globalContext,
    endpoint,
    concurrency,
    onProtocolError: options.onProtocolError,
    onReplyError: options.onReplyError,
  }
}
