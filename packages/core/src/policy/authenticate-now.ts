import type { ZapReply } from "../zap/reply.js"
import type { ZapRequest } from "../zap/request.js"
import type { AuthenticateOptions } from "./authenticator.js"

/**
 * The key of an engine's optional method that decides like `authenticate()` but returns the
 * reply itself when the decision needs no wait (an in-memory policy), a promise otherwise.
 * Adapters call it so that such a reply is written before the next request is read, without
 * a promise per request. {@link Authenticator} has it.
 */
export const AUTHENTICATE_NOW: unique symbol = Symbol("zmq-auth.authenticateNow")

/** How an adapter decides one request: a reply at once, or a promise of one. */
export type DecideNow = (request: ZapRequest, options?: AuthenticateOptions) => ZapReply | PromiseLike<ZapReply>

/** An engine that may decide at once: `authenticate()`, and perhaps {@link AUTHENTICATE_NOW}. */
export interface DecidingEngine {
  authenticate(request: ZapRequest, options?: AuthenticateOptions): Promise<ZapReply>
  [AUTHENTICATE_NOW]?: DecideNow
}

/** How `engine` is asked: its {@link AUTHENTICATE_NOW} method when it has one, else `authenticate()`. */
export function decideNowOf(engine: DecidingEngine): DecideNow {
  const now = engine[AUTHENTICATE_NOW]
  if (typeof now === "function") return (request, options) => now.call(engine, request, options)
  return (request, options) => engine.authenticate(request, options)
}
