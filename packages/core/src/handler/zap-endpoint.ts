import { context as globalContext, type Context, type Router } from "zeromq"
import { ZAP_ENDPOINT } from "../constants.js"
import { AuthenticatorError, ZapProtocolError } from "../errors.js"
import { asError, messageOf } from "../error-text.js"
import { callListener, warnListenerThrew } from "../listener-warning.js"
import { checkHandlerZeromq } from "../same-zeromq.js"
import { metricsRecorder } from "../metrics/current-recorder.js"
import type { ZapReply } from "../zap/reply.js"
import { parseZapRequestAt, type ZapRequest } from "../zap/request.js"
import { bindSocket, closeSocket, isWakeMessage, wake, type BoundSocket } from "./bound-socket.js"
import { checkConcurrency, DEFAULT_CONCURRENCY } from "./concurrency.js"
import { createExchange } from "./create-exchange.js"
import { deferred, type Deferred } from "./deferred.js"
import { checkEndpointAddress } from "./endpoint-address.js"
import {
  awaitHandover,
  claim,
  releaseInProgress,
  successorWaiting,
  takeSuccessor,
  trackRelease,
  unclaim,
} from "./endpoint-slots.js"
import { replyMessage } from "./reply-message.js"
import { ReplyWriter } from "./reply-writer.js"
import { servingStarted, servingStopped } from "./zap-coverage.js"
import type { ZapExchange } from "./zap-exchange.js"

/** Where a {@link ZapEndpoint} serves, validated by {@link readEndpointOptions}. */
export interface ZapEndpointOptions {
  /** The ZeroMQ context whose sockets are served. Default: zeromq's global context. */
  context?: Context
  /** The address to bind. Default {@link ZAP_ENDPOINT} (`inproc://zeromq.zap.01`). */
  endpoint?: string
  /** Unanswered exchanges at once; further requests wait in libzmq's queue. Default 1024. */
  concurrency?: number
}

/** What a {@link ZapEndpoint} hands its owner. Listeners must not throw. */
export interface ZapEndpointListener {
  /** A valid request, to be answered once; also called while draining at release. */
  exchange(exchange: ZapExchange): void
  /** A malformed request, already answered 400 when it had a request id, else dropped. */
  protocolError(error: ZapProtocolError): void
  /** A reply that could not be handed to libzmq (the client's session is gone). */
  replyError(error: Error): void
}

/** How listener failures name this endpoint in process warnings. */
const LISTENER_LABEL = "ZAP endpoint"
const INTERNAL_ERROR: Omit<ZapReply, "requestId"> = { statusCode: 500, statusText: "Internal error", userId: "" }
/** Requests read at most while releasing, per unit of `concurrency` (guards against a peer that keeps sending). */
const RELEASE_BUDGET_PER_SLOT = 64
/** After the unbind, how long the socket stays open with no request coming before it closes. */
const RELEASE_QUIET_MS = 50

/** Validates endpoint options, throwing `TypeError` naming the invalid one. */
export function readEndpointOptions(options: ZapEndpointOptions): Required<ZapEndpointOptions> {
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY
  checkConcurrency(concurrency)
  const endpoint = options.endpoint ?? ZAP_ENDPOINT
  checkEndpointAddress(endpoint)
  checkHandlerZeromq(options.context)
  return { context: options.context ?? globalContext, endpoint, concurrency }
}

/**
 * The ZAP endpoint of one context, served by one owner: binds a ROUTER (or takes over the
 * still-bound socket of an endpoint releasing the same address, so that no handshake finds the
 * address unbound), parses each request (answering malformed ones 400), hands valid ones to the
 * listener as {@link ZapExchange}s, at most `concurrency` unanswered at once, and writes the
 * replies in the order they come. {@link ZapEndpoint.release} stops receiving, lets the listener
 * answer what was received and queued, then hands the socket to a successor or unbinds it.
 * Releasing creates no socket, so it works at `maxSockets` and out of file descriptors.
 */
export class ZapEndpoint {
  /** The context served. */
  readonly context: Context
  /** The address bound. */
  readonly address: string
  /** Resolves once the endpoint serves; rejects with an {@link AuthenticatorError} when it cannot. */
  readonly ready: Promise<void>
  readonly #listener: ZapEndpointListener
  readonly #concurrency: number
  /** Exchanges handed to the listener and not answered at once. */
  readonly #unanswered = new Set<ZapExchange>()
  /** The exchange being handed to the listener, until its call returns. */
  #handling: ZapExchange | undefined
  #bound: BoundSocket | undefined
  #writer: ReplyWriter | undefined
  #loop: Promise<void> | undefined
  #receiving = false
  #releasing = false
  #changed: Deferred<void> | undefined
  #released: Promise<void> | undefined
  #freed: (() => void) | undefined
  #served!: (error?: AuthenticatorError) => void

  /**
   * Binds `endpoint` in `context` (or waits to take over the socket being released there) and
   * serves it. Throws `TypeError` on an invalid option and {@link AuthenticatorError} when
   * another endpoint of this process holds the address or the bind fails (EADDRINUSE: another
   * handler, perhaps in another zeromq copy or library). `busyHint` is appended to that error.
   */
  static open(listener: ZapEndpointListener, options: ZapEndpointOptions = {}, busyHint = ""): ZapEndpoint {
    return new ZapEndpoint(listener, readEndpointOptions(options), busyHint)
  }

  private constructor(listener: ZapEndpointListener, options: Required<ZapEndpointOptions>, busyHint: string) {
    this.#listener = listener
    this.context = options.context
    this.address = options.endpoint
    this.#concurrency = options.concurrency
    const { promise, resolve } = deferred<AuthenticatorError | undefined>()
    this.#served = resolve
    this.ready = promise.then((error) => {
      if (error !== undefined) throw error
    })
    this.ready.catch(() => undefined)
    const busy = (cause?: unknown): AuthenticatorError =>
      new AuthenticatorError(
        `${this.address} already has a ZAP handler in this context${busyHint}`,
        cause === undefined ? {} : { cause }
      )
    if (!claim(this.context, this.address, this)) throw busy()
    const previous = releaseInProgress(this.context, this.address)
    if (previous === undefined) {
      this.#serve(this.#bind(busy))
      return
    }
    awaitHandover(this.context, this.address, { adopt: (bound) => this.#serve(bound) })
    void previous.then(() => {
      if (this.#bound !== undefined || this.#releasing) return
      try {
        this.#serve(this.#bind(busy))
      } catch (error) {
        this.#served(error as AuthenticatorError)
      }
    })
  }

  /** Whether the endpoint serves (bound or handed over, and not releasing). */
  get serving(): boolean {
    return this.#bound !== undefined && !this.#releasing
  }

  /**
   * Stops receiving new requests; requests already received or queued in the socket are still
   * handed to the listener (at most `concurrency` unanswered at once) unless a successor waits
   * to take them over with the socket. Once all are answered and written, hands the still-bound
   * socket to that successor, or unbinds it (the address is then free for a new endpoint),
   * answers the requests that sessions which found it before the unbind are still writing
   * (until none has come for 50 ms), and closes it. Whatever fails on the way closes the socket
   * instead; never rejects. Idempotent.
   */
  release(): Promise<void> {
    if (this.#released !== undefined) return this.#released
    this.#releasing = true
    unclaim(this.context, this.address, this)
    this.#signalChange()
    // A successor that missed the handover may bind as soon as the address is free: it need
    // not wait while this endpoint answers the last requests of its sessions.
    const freed = deferred<void>()
    this.#freed = freed.resolve
    this.#released = this.#release().finally(freed.resolve)
    trackRelease(this.context, this.address, freed.promise)
    return this.#released
  }

  /** Denies every exchange still unanswered with 500 "Internal error". */
  denyUnanswered(): void {
    // The exchange being handed to the listener, when that listener's call gets here.
    if (this.#handling?.answered === false) this.#handling.reply(INTERNAL_ERROR)
    for (const exchange of [...this.#unanswered]) if (!exchange.answered) exchange.reply(INTERNAL_ERROR)
  }

  #bind(busy: (cause: unknown) => AuthenticatorError): BoundSocket {
    try {
      return bindSocket(this.context, this.address)
    } catch (error) {
      unclaim(this.context, this.address, this)
      if ((error as { code?: unknown }).code === "EADDRINUSE") throw busy(error)
      throw new AuthenticatorError(`cannot bind the ZAP endpoint ${this.address}: ${messageOf(error)}`, {
        cause: error,
      })
    }
  }

  #serve(bound: BoundSocket): void {
    this.#bound = bound
    this.#writer = new ReplyWriter(bound.router, (error) =>
      this.#notify(() => this.#listener.replyError(asError(error)))
    )
    servingStarted(this.context, this.address)
    this.#loop = this.#receiveLoop(bound.router)
    this.#served()
  }

  async #release(): Promise<void> {
    const bound = this.#bound
    if (bound === undefined) {
      // Released while waiting for a handover: the socket goes to the next successor, if any.
      this.#served(new AuthenticatorError(`the ZAP endpoint ${this.address} was released before it served`))
      return
    }
    try {
      if (this.#receiving) await wake(bound)
      await this.#loop
      await this.#answered()
      const successor = takeSuccessor(this.context, this.address)
      if (successor !== undefined) {
        this.#bound = undefined
        successor.adopt(bound)
        servingStopped(this.context, this.address)
        return
      }
      await bound.router.unbind(bound.address)
      this.#freed?.()
      await this.#drainStragglers(bound.router)
      await this.#answered()
    } catch (error) {
      process.emitWarning(
        `zmq-auth closed the ZAP socket of ${this.address} after failing to release it in order: ${messageOf(error)}`,
        { code: "ZMQ_AUTH_RELEASE" }
      )
    } finally {
      if (this.#bound !== undefined) {
        this.denyUnanswered()
        await this.#writer?.flushed()
        this.#bound = undefined
        closeSocket(bound)
        servingStopped(this.context, this.address)
      }
    }
  }

  /** Resolves once every exchange is answered and every reply written. */
  async #answered(): Promise<void> {
    while (this.#unanswered.size > 0) await this.#nextChange()
    await this.#writer?.flushed()
  }

  async #receiveLoop(router: Router): Promise<void> {
    let budget = RELEASE_BUDGET_PER_SLOT * this.#concurrency
    for (;;) {
      while (!this.#releasing && this.#unanswered.size >= this.#concurrency) await this.#nextChange()
      if (this.#releasing) {
        // Only what is already queued (receive() then never waits), and not even that when a
        // successor will take the socket over with its queue.
        if (!router.readable || budget-- <= 0 || successorWaiting(this.context, this.address)) return
        while (this.#unanswered.size >= this.#concurrency) await this.#nextChange()
      }
      let frames: Buffer[]
      this.#receiving = true
      try {
        frames = await router.receive()
      } catch {
        if (router.closed) return
        // Not closed, yet failing: let timers and I/O run before trying again, so a receive
        // that keeps failing cannot starve the event loop with rejected promises.
        await new Promise((resolve) => setImmediate(resolve))
        continue
      } finally {
        this.#receiving = false
      }
      if (!isWakeMessage(frames)) this.#handle(frames)
    }
  }

  /**
   * After the unbind, answers the requests of sessions that found the endpoint before it: those
   * already queued, and those still being written. A session's I/O thread writes its request
   * right after finding the endpoint and can be descheduled in between; a request still unread
   * when the socket closes is dropped, and its handshake waits for libzmq's `handshake_ivl`
   * (30 s by default). So this reads until no request has come for {@link RELEASE_QUIET_MS}
   * (no new session can find the endpoint once it is unbound), at most the release budget.
   */
  async #drainStragglers(router: Router): Promise<void> {
    router.receiveTimeout = RELEASE_QUIET_MS
    for (let budget = RELEASE_BUDGET_PER_SLOT * this.#concurrency; budget > 0; budget--) {
      while (this.#unanswered.size >= this.#concurrency) await this.#nextChange()
      let frames: Buffer[]
      try {
        frames = await router.receive()
      } catch (error) {
        if (router.closed || (error as { code?: unknown }).code === "EAGAIN") return
        throw error
      }
      if (!isWakeMessage(frames)) this.#handle(frames)
    }
  }

  #handle(frames: Buffer[]): void {
    const routingId = frames[0]!
    let request: ZapRequest
    try {
      // ROUTER envelope: routing id, empty delimiter, then the ZAP frames.
      request = parseZapRequestAt(frames, frames[1]?.length === 0 ? 2 : 1)
    } catch (error) {
      const protocolError =
        error instanceof ZapProtocolError ? error : new ZapProtocolError(messageOf(error), { cause: error })
      if (protocolError.requestId !== undefined) {
        this.#send(
          replyMessage(routingId, protocolError.requestId, {
            statusCode: 400,
            statusText: protocolError.statusText,
            userId: "",
          })
        )
      }
      metricsRecorder().add("zmq_auth.protocol_errors", 1, { status_text: protocolError.statusText })
      this.#notify(() => this.#listener.protocolError(protocolError))
      return
    }
    const exchange = createExchange(request, routingId, this.#deliver)
    metricsRecorder().add("zmq_auth.decisions.in_flight", 1)
    this.#handling = exchange
    try {
      this.#listener.exchange(exchange)
    } catch (error) {
      warnListenerThrew(LISTENER_LABEL, error)
      // A listener that throws (it must not) leaves nobody to answer: deny now.
      if (!exchange.answered) exchange.reply(INTERNAL_ERROR)
    }
    this.#handling = undefined
    // Answered at once (an in-memory policy): nothing to wait for or to deny at release.
    if (!exchange.answered) this.#unanswered.add(exchange)
  }

  /** Writes an exchange's reply; one still counted as unanswered no longer is. */
  readonly #deliver = (exchange: ZapExchange, message: Buffer[]): void => {
    metricsRecorder().add("zmq_auth.decisions.in_flight", -1)
    this.#send(message)
    if (this.#unanswered.delete(exchange)) this.#signalChange()
  }

  /** Calls a listener; one that throws (it must not) is reported as a process warning. */
  #notify(call: () => void): void {
    callListener(LISTENER_LABEL, call)
  }

  #send(message: Buffer[]): void {
    // Once released, the socket is closed or another endpoint's: a late reply is dropped.
    if (this.#bound !== undefined) this.#writer?.write(message)
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
