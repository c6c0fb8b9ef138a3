import { EventEmitter } from "eventemitter3"
import { AuthenticatorError, type ZapProtocolError } from "../errors.js"
import type { Authenticator } from "../policy/authenticator.js"
import { decideNowOf, type DecideNow } from "../policy/authenticate-now.js"
import { redactRequest } from "../policy/redact.js"
import { isPromiseLike } from "../policy/timeout.js"
import { asError } from "../error-text.js"
import { callListener } from "../listener-warning.js"
import type { ZapReply } from "../zap/reply.js"
import type { ZapRequest } from "../zap/request.js"
import { readEndpointOptions, ZapEndpoint, type ZapEndpointOptions } from "./zap-endpoint.js"
import type { ZapExchange } from "./zap-exchange.js"

/** Options of {@link ZapHandler}: the context, endpoint and concurrency it serves with. */
export type ZapHandlerOptions = ZapEndpointOptions

/** Events of {@link ZapHandler}. */
export interface ZapHandlerEvents {
  /** A malformed request: answered 400 when it had a request id, dropped otherwise. */
  "protocol:error": (error: ZapProtocolError) => void
  /** The engine threw or rejected (it should not): the request (PLAIN password redacted) was answered 500. */
  "authenticate:error": (error: Error, request: ZapRequest) => void
  /** A reply could not be handed to libzmq (the peer's session is gone). */
  "reply:error": (error: Error) => void
}

const INTERNAL_ERROR = { statusCode: 500, statusText: "Internal error", userId: "" } as const

/**
 * Serves an {@link Authenticator} on the current event loop: a ROUTER bound at the ZAP
 * endpoint receives requests, decides up to `concurrency` of them at once, and replies as each
 * decision completes (possibly out of order). A handler started while another of the same
 * context and endpoint is stopping takes over its still-bound socket, so restarting leaves no
 * moment without a handler.
 */
export class ZapHandler extends EventEmitter<ZapHandlerEvents> {
  readonly #authenticateNow: DecideNow
  readonly #options: Required<ZapEndpointOptions>
  #endpoint: ZapEndpoint | undefined
  #stopping: Promise<void> | undefined

  /** Throws `TypeError` naming an invalid option. */
  constructor(authenticator: Pick<Authenticator, "authenticate">, options: ZapHandlerOptions = {}) {
    super()
    if (typeof authenticator?.authenticate !== "function")
      throw new TypeError("authenticator must have an authenticate(request) method")
    this.#options = readEndpointOptions(options)
    this.#authenticateNow = decideNowOf(authenticator)
  }

  /** Whether the handler is bound and answering requests. */
  get running(): boolean {
    return this.#endpoint?.serving === true
  }

  /** The endpoint this handler binds. */
  get endpoint(): string {
    return this.#options.endpoint
  }

  /**
   * Binds the ZAP endpoint, or takes over the socket of a handler of the same endpoint that is
   * stopping; handshakes that start after this resolves are decided by this handler. Rejects
   * with {@link AuthenticatorError} when already started or when another handler holds the
   * endpoint.
   */
  async start(): Promise<void> {
    if (this.#endpoint !== undefined && this.#stopping === undefined) {
      throw new AuthenticatorError(`ZAP handler for ${this.#options.endpoint} is already started`)
    }
    const endpoint = ZapEndpoint.open(
      {
        exchange: (exchange) => this.#decide(exchange),
        protocolError: (error) => this.#emitSafely("protocol:error", error),
        replyError: (error) => this.#emitSafely("reply:error", error),
      },
      this.#options
    )
    this.#endpoint = endpoint
    this.#stopping = undefined
    try {
      await endpoint.ready
    } catch (error) {
      if (this.#endpoint === endpoint) this.#endpoint = undefined
      throw error
    }
  }

  /**
   * Stops receiving, answers every request already received, then unbinds the socket, which
   * frees the endpoint (or hands it to a handler started meanwhile), answers the requests of
   * handshakes that reached it before the unbind (until none has come for 50 ms) and closes it.
   * Idempotent; resolves at once when not started. Needs no new socket, so it also works at a
   * resource limit.
   */
  async stop(): Promise<void> {
    const endpoint = this.#endpoint
    if (endpoint === undefined) return
    if (!endpoint.serving && this.#stopping === undefined) {
      // A start in progress settles first: stop what it started, or find nothing to stop.
      await endpoint.ready.catch(() => undefined)
      if (this.#endpoint !== endpoint) return
    }
    this.#stopping ??= endpoint.release().then(() => {
      if (this.#endpoint !== endpoint) return
      this.#endpoint = undefined
      this.#stopping = undefined
    })
    await this.#stopping
  }

  /** Same as {@link ZapHandler.stop}, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop()
  }

  /**
   * Asks the engine; a reply it has at once (an in-memory policy) is written before the next
   * request is read. Never throws: whatever fails answers 500.
   */
  #decide(exchange: ZapExchange): void {
    try {
      const decided = this.#authenticateNow(exchange.request)
      if (!isPromiseLike(decided)) return this.#answer(exchange, decided)
      decided.then(
        (reply) => this.#answer(exchange, reply),
        (error: unknown) => this.#failed(exchange, error)
      )
    } catch (error) {
      this.#failed(exchange, error)
    }
  }

  #answer(exchange: ZapExchange, reply: ZapReply): void {
    const { request } = exchange
    try {
      if (
        reply?.statusCode === 200 &&
        reply.requestId !== request.requestId &&
        !reply.requestId?.equals(request.requestId)
      ) {
        throw new AuthenticatorError("authenticate() allowed with a reply for another request id")
      }
      // The reply's own requestId is ignored: the exchange answers its request.
      exchange.reply(reply)
    } catch (error) {
      this.#failed(exchange, error)
    }
  }

  #failed(exchange: ZapExchange, error: unknown): void {
    this.#emitSafely("authenticate:error", asError(error), redactRequest(exchange.request))
    if (!exchange.answered) exchange.reply(INTERNAL_ERROR)
  }

  #emitSafely<E extends keyof ZapHandlerEvents>(event: E, ...args: Parameters<ZapHandlerEvents[E]>): void {
    callListener(event, () =>
      (this.emit as (event: E, ...rest: Parameters<ZapHandlerEvents[E]>) => boolean)(event, ...args)
    )
  }
}
