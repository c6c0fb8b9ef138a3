import { EventEmitter } from "eventemitter3"
import { randomBytes } from "node:crypto"
import { Dealer, Router, type Context } from "zeromq"
import { ZAP_ENDPOINT } from "../constants.js"
import { AuthenticatorError, ZapProtocolError } from "../errors.js"
import type { Authenticator } from "../policy/authenticator.js"
import { redactRequest } from "../policy/redact.js"
import { messageOf } from "../policy/timeout.js"
import { encodeZapReply, type ZapReply } from "../zap/reply.js"
import { parseZapRequest, type ZapRequest } from "../zap/request.js"
import { deferred, type Deferred } from "./deferred.js"
import { ReplyWriter } from "./reply-writer.js"
import { checkHandlerZeromq } from "../same-zeromq.js"

/** Options of {@link ZapHandler}. */
export interface ZapHandlerOptions {
  /** The ZeroMQ context whose sockets this handler serves. Default: zeromq's global context. */
  context?: Context
  /** The endpoint to bind. Default {@link ZAP_ENDPOINT} (`inproc://zeromq.zap.01`). */
  endpoint?: string
  /** Requests decided at once; further requests wait in libzmq's queue. Default 1024. */
  concurrency?: number
}

/** Events of {@link ZapHandler}. */
export interface ZapHandlerEvents {
  /** A malformed request: answered 400 when it had a request id, dropped otherwise. */
  "protocol:error": (error: ZapProtocolError) => void
  /** The engine threw or rejected (it should not): the request (PLAIN password redacted) was answered 500. */
  "authenticate:error": (error: Error, request: ZapRequest) => void
  /** A reply could not be handed to libzmq (the peer's session is gone). */
  "reply:error": (error: Error) => void
}

const EMPTY = Buffer.alloc(0)
const DEFAULT_CONCURRENCY = 1024
const CLOSE_LINGER_MS = 1000
const SEND_TIMEOUT_MS = 1000
/** Requests read after the unbind at most, per unit of `concurrency`. */
const LEFTOVER_BUDGET_PER_SLOT = 64

/**
 * Serves an {@link Authenticator} on the current event loop: a ROUTER bound at the ZAP
 * endpoint receives requests, decides up to `concurrency` of them at once, and replies as each
 * decision completes (possibly out of order).
 */
export class ZapHandler extends EventEmitter<ZapHandlerEvents> {
  readonly #authenticator: Pick<Authenticator, "authenticate">
  readonly #context: Context | undefined
  readonly #endpoint: string
  readonly #concurrency: number
  #socket: Router | undefined
  /** Settles once a bind in progress succeeded or failed. */
  #binding: Promise<void> | undefined
  #writer: ReplyWriter | undefined
  #loop: Promise<void> | undefined
  #stopping: Promise<void> | undefined
  #inFlight = 0
  #draining = false
  #loopDone = false
  #receiving = false
  readonly #wakeToken = randomBytes(16)
  #changed: Deferred<void> | undefined

  /** Throws `TypeError` naming an invalid option. */
  constructor(authenticator: Pick<Authenticator, "authenticate">, options: ZapHandlerOptions = {}) {
    super()
    if (typeof authenticator?.authenticate !== "function") throw new TypeError("authenticator must have an authenticate(request) method")
    const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new TypeError(`concurrency must be a positive integer, got ${String(concurrency)}`)
    }
    const endpoint = options.endpoint ?? ZAP_ENDPOINT
    if (typeof endpoint !== "string" || endpoint === "") throw new TypeError("endpoint must be a non-empty string")
    checkHandlerZeromq(options.context)
    this.#authenticator = authenticator
    this.#context = options.context
    this.#endpoint = endpoint
    this.#concurrency = concurrency
  }

  /** Whether the handler is bound and answering requests. */
  get running(): boolean {
    return this.#socket !== undefined && this.#stopping === undefined
  }

  /** The endpoint this handler binds. */
  get endpoint(): string {
    return this.#endpoint
  }

  /**
   * Binds the ZAP endpoint; handshakes that start after this resolves are decided by this
   * handler. Rejects with {@link AuthenticatorError} when already started or when another
   * handler holds the endpoint.
   */
  async start(): Promise<void> {
    if (this.#socket !== undefined) throw new AuthenticatorError(`ZAP handler for ${this.#endpoint} is already started`)
    const socketOptions = { linger: CLOSE_LINGER_MS, sendTimeout: SEND_TIMEOUT_MS }
    const socket = new Router(this.#context === undefined ? socketOptions : { ...socketOptions, context: this.#context })
    this.#socket = socket
    const binding = socket.bind(this.#endpoint)
    // A stop() called while binding waits for the outcome: it then stops what started, or finds
    // nothing to stop.
    this.#binding = binding.then(() => undefined, () => undefined)
    try {
      await binding
    } catch (error) {
      socket.close()
      this.#socket = undefined
      const code = (error as { code?: string }).code
      throw new AuthenticatorError(
        code === "EADDRINUSE"
          ? `${this.#endpoint} already has a ZAP handler in this context`
          : `cannot bind ZAP handler at ${this.#endpoint}: ${messageOf(error)}`,
        { cause: error },
      )
    }
    this.#writer = new ReplyWriter(socket, (error) => this.#emitSafely("reply:error", asError(error)))
    this.#loop = this.#receiveLoop(socket)
  }

  /**
   * Stops receiving, answers every request already received, then closes the socket, which
   * frees the endpoint. Idempotent; resolves at once when not started.
   */
  async stop(): Promise<void> {
    // Not started: nothing to stop, now or later (a start() called after this must stand).
    if (this.#socket === undefined) return
    // A bind in progress settles first: stop what it started, or find nothing to stop.
    await this.#binding
    if (this.#socket === undefined) return
    this.#stopping ??= this.#shutdown(this.#socket)
    await this.#stopping
  }

  /** Same as {@link ZapHandler.stop}, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop()
  }

  async #shutdown(socket: Router): Promise<void> {
    // Requests libzmq already queued for us are in flight too: the loop drains what is
    // readable (at most `concurrency` more) and every decision is answered before closing.
    this.#draining = true
    this.#signalChange()
    // zeromq.js unbinds on a worker thread, so no receive() may be pending then: a parked
    // receive is woken by a token message from a DEALER of our own.
    const waker = this.#receiving ? await this.#wakeReceiveLoop() : undefined
    while (!this.#loopDone || this.#inFlight > 0) await this.#nextChange()
    await this.#writer?.flushed()
    // Closing alone frees the inproc name only later, on libzmq's reaper thread: unbind first so
    // that the next start() binds at once. Unbinding before the replies are written would stall them.
    try {
      if (!socket.closed) await socket.unbind(this.#endpoint)
    } catch {
      // Not bound any more: closing below is all that is left to do.
    }
    // Sessions that connected before the unbind may have queued requests since: decide every one
    // (no new session can connect now, so the queue ends; the cap only guards against a peer
    // that keeps sending), still at most `concurrency` at once.
    for (let budget = LEFTOVER_BUDGET_PER_SLOT * this.#concurrency; budget > 0 && socket.readable; budget--) {
      while (this.#inFlight >= this.#concurrency) await this.#nextChange()
      const frames = await socket.receive()
      if (this.#isWakeToken(frames)) continue
      this.#inFlight++
      void this.#handle(frames)
    }
    while (this.#inFlight > 0) await this.#nextChange()
    await this.#writer?.flushed()
    waker?.close()
    socket.close()
    await this.#loop
    this.#socket = undefined
    this.#writer = undefined
    this.#loop = undefined
    this.#stopping = undefined
    this.#draining = false
    this.#loopDone = false
  }

  async #wakeReceiveLoop(): Promise<Dealer> {
    const waker = new Dealer(this.#context === undefined ? { linger: 0 } : { context: this.#context, linger: 0 })
    waker.connect(this.#endpoint)
    await waker.send(this.#wakeToken)
    return waker
  }

  #isWakeToken(frames: Buffer[]): boolean {
    return frames.length === 2 && frames[1]!.equals(this.#wakeToken)
  }

  async #receiveLoop(socket: Router): Promise<void> {
    let drainBudget = this.#concurrency
    try {
      for (;;) {
        while (this.#inFlight >= this.#concurrency) await this.#nextChange()
        if (this.#draining && (!socket.readable || drainBudget-- <= 0)) return
        let frames: Buffer[] | undefined
        this.#receiving = true
        try {
          frames = await socket.receive()
        } catch {
          if (socket.closed) return
        } finally {
          this.#receiving = false
        }
        if (frames === undefined) {
          // Not closed, yet failing: let timers and I/O run before trying again, so a receive
          // that keeps failing cannot starve the event loop with rejected promises.
          await new Promise((resolve) => setImmediate(resolve))
          continue
        }
        if (this.#isWakeToken(frames)) {
          if (this.#draining) return
          continue
        }
        this.#inFlight++
        this.#signalChange()
        void this.#handle(frames)
      }
    } finally {
      this.#loopDone = true
      this.#signalChange()
    }
  }

  async #handle(frames: Buffer[]): Promise<void> {
    const routingId = frames[0]!
    try {
      // ROUTER envelope: routing id, empty delimiter, then the ZAP frames.
      const body = frames[1]?.length === 0 ? frames.slice(2) : frames.slice(1)
      let request: ZapRequest
      try {
        request = parseZapRequest(body)
      } catch (error) {
        const protocolError = error as ZapProtocolError
        if (protocolError.requestId !== undefined) {
          this.#send(routingId, { requestId: protocolError.requestId, statusCode: 400, statusText: protocolError.statusText, userId: "" })
        }
        this.#emitSafely("protocol:error", protocolError)
        return
      }
      let reply: ZapReply
      try {
        reply = await this.#authenticator.authenticate(request)
        if (reply?.statusCode === 200 && !reply.requestId?.equals(request.requestId)) {
          throw new AuthenticatorError("authenticate() allowed with a reply for another request id")
        }
        this.#send(routingId, reply)
      } catch (error) {
        this.#emitSafely("authenticate:error", asError(error), redactRequest(request))
        this.#send(routingId, { requestId: request.requestId, statusCode: 500, statusText: "Internal error", userId: "" })
      }
    } finally {
      this.#inFlight--
      this.#signalChange()
    }
  }

  #send(routingId: Buffer, reply: ZapReply): void {
    this.#writer?.write([routingId, EMPTY, ...encodeZapReply(reply)])
  }

  #emitSafely<E extends keyof ZapHandlerEvents>(event: E, ...args: Parameters<ZapHandlerEvents[E]>): void {
    try {
      ;(this.emit as (event: E, ...rest: Parameters<ZapHandlerEvents[E]>) => boolean)(event, ...args)
    } catch (listenerError) {
      process.emitWarning(`a zmq-auth ${event} listener threw: ${messageOf(listenerError)}`)
    }
  }

  #nextChange(): Promise<void> {
    this.#changed ??= deferred()
    return this.#changed.promise
  }

  #signalChange(): void {
    const changed = this.#changed
    this.#changed = undefined
    changed?.resolve()
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(messageOf(error))
}
