import { randomBytes } from "node:crypto"
import { AuthenticatorError, parseZapRequest, ZapProtocolError, type ZapReply, type ZapRequest } from "@zmq-auth/core"
import type { Subscriber } from "rxjs"
import { Dealer, Router, type Context } from "zeromq"
import { createExchange } from "./create-exchange.js"
import { awaitHandover, successorWaiting, takeSuccessor } from "./endpoint-handovers.js"
import { releaseInProgress, trackRelease } from "./endpoint-releases.js"
import { replyFrames } from "./reply-frames.js"
import { ReplyWriter } from "@zmq-auth/core"
import type { ZapExchange } from "./zap-exchange.js"

/** What one subscription of {@link zapRequests} needs, validated. */
export interface SessionSettings {
  context: Context
  endpoint: string
  concurrency: number
  onProtocolError: ((error: ZapProtocolError) => void) | undefined
  onReplyError: ((error: Error) => void) | undefined
}

const EMPTY = Buffer.alloc(0)
const SOCKET_OPTIONS = { linger: 1000, sendTimeout: 1000 }
/** Routing ids of the DEALERs that wake a session's pending receive(); never ZAP requests. */
const WAKE_PREFIX = "zmq-auth-rx-wake-"
const INTERNAL_ERROR: Omit<ZapReply, "requestId"> = { statusCode: 500, statusText: "Internal error", userId: "" }

/**
 * The ZAP endpoint as held by one subscription: binds a ROUTER on open (or takes over the one
 * an earlier subscription is releasing), emits each valid request as a {@link ZapExchange}, and
 * on close denies what is unanswered, then hands the still-bound socket to the next
 * subscription if one is waiting, or unbinds.
 */
export class ZapEndpointSession {
  readonly #settings: SessionSettings
  readonly #subscriber: Subscriber<ZapExchange>
  readonly #unanswered = new Set<ZapExchange>()
  readonly #wakeId = `${WAKE_PREFIX}${randomBytes(8).toString("hex")}`
  #opening: Promise<void> | undefined
  #withdraw: (() => void) | undefined
  #socket: Router | undefined
  #sender: ReplyWriter | undefined
  #loop: Promise<void> | undefined
  #receiving = false
  #closing = false
  #capacity: (() => void) | undefined

  constructor(settings: SessionSettings, subscriber: Subscriber<ZapExchange>) {
    this.#settings = settings
    this.#subscriber = subscriber
  }

  /**
   * Binds the endpoint at once or, while an earlier subscription is releasing it, takes over its
   * still-bound socket (binding after the release if that one unbinds after all). A binding
   * failure is sent to the subscriber as an {@link AuthenticatorError}.
   */
  open(): void {
    const { context, endpoint } = this.#settings
    const previous = releaseInProgress(context, endpoint)
    if (previous === undefined) {
      this.#bind()
      return
    }
    const withdraw = awaitHandover(context, endpoint, { adopt: (socket) => this.#serve(socket) })
    this.#withdraw = withdraw
    this.#opening = previous.then(() => {
      withdraw()
      if (!this.#closing && this.#socket === undefined) this.#bind()
    })
  }

  /**
   * Stops emitting, denies every unanswered exchange with 500, and releases the endpoint in
   * the background (see `zapEndpointReleased`).
   */
  close(): void {
    if (this.#closing) return
    this.#closing = true
    this.#withdraw?.()
    for (const exchange of [...this.#unanswered]) exchange.reply(INTERNAL_ERROR)
    this.#capacity?.()
    trackRelease(this.#settings.context, this.#settings.endpoint, this.#release())
  }

  #bind(): void {
    const { context, endpoint } = this.#settings
    let socket: Router | undefined
    try {
      socket = new Router({ ...SOCKET_OPTIONS, context })
      // Synchronous, so that handshakes started after subscribe() returns are decided here.
      socket.bindSync(endpoint)
    } catch (error) {
      socket?.close()
      const code = (error as { code?: unknown }).code
      this.#subscriber.error(new AuthenticatorError(
        code === "EADDRINUSE"
          ? `${endpoint} already has a ZAP handler in this context`
          : `cannot bind the ZAP endpoint ${endpoint}: ${messageOf(error)}`,
        { cause: error },
      ))
      return
    }
    this.#serve(socket)
  }

  /** Receives and answers on `socket`, bound at the endpoint by this session or handed over. */
  #serve(socket: Router): void {
    this.#socket = socket
    this.#sender = new ReplyWriter(socket, (error) => this.#report(this.#settings.onReplyError, asError(error)))
    this.#loop = this.#receiveLoop(socket)
  }

  async #receiveLoop(socket: Router): Promise<void> {
    for (;;) {
      while (!this.#closing && this.#unanswered.size >= this.#settings.concurrency) {
        await new Promise<void>((resolve) => { this.#capacity = resolve })
        this.#capacity = undefined
      }
      // While closing, only what is already queued is read (receive() then never waits), and
      // not even that when a successor waits: it will take over the socket with its queue.
      if (this.#closing && (!socket.readable || this.#successorWaiting())) return
      let frames: Buffer[]
      this.#receiving = true
      try {
        frames = await socket.receive()
      } catch (error) {
        if (!this.#closing && !socket.closed) {
          this.#subscriber.error(new AuthenticatorError(`the ZAP socket failed to receive: ${messageOf(error)}`, { cause: error }))
        }
        return
      } finally {
        this.#receiving = false
      }
      this.#handle(frames)
    }
  }

  #handle(frames: Buffer[]): void {
    const routingId = frames[0]!
    // Wake messages of this session, or of one that handed the socket over, are no requests.
    if (routingId.toString("latin1").startsWith(WAKE_PREFIX)) return
    // ROUTER envelope: routing id, empty delimiter, then the ZAP frames.
    const body = frames[1]?.length === 0 ? frames.slice(2) : frames.slice(1)
    let request: ZapRequest
    try {
      request = parseZapRequest(body)
    } catch (error) {
      const protocolError = error instanceof ZapProtocolError ? error : new ZapProtocolError(messageOf(error), { cause: error })
      if (protocolError.requestId !== undefined) {
        const reply = { statusCode: 400 as const, statusText: protocolError.statusText, userId: "" }
        this.#send(routingId, replyFrames(protocolError.requestId, reply))
      }
      this.#report(this.#settings.onProtocolError, protocolError)
      return
    }
    if (this.#closing) {
      this.#send(routingId, replyFrames(request.requestId, INTERNAL_ERROR))
      return
    }
    const exchange = createExchange(request, (answered, replied) => {
      this.#unanswered.delete(answered)
      this.#send(routingId, replied)
      this.#capacity?.()
    })
    this.#unanswered.add(exchange)
    this.#subscriber.next(exchange)
  }

  #successorWaiting(): boolean {
    return successorWaiting(this.#settings.context, this.#settings.endpoint)
  }

  #send(routingId: Buffer, frames: Buffer[]): void {
    this.#sender?.write([routingId, EMPTY, ...frames])
  }

  async #release(): Promise<void> {
    await this.#opening
    const socket = this.#socket
    const sender = this.#sender
    if (socket === undefined || sender === undefined) return
    // zeromq.js must not unbind while a receive() is pending: a message of our own ends it.
    const waker = this.#receiving ? await this.#wake(socket) : undefined
    if (waker === null) return
    await this.#loop
    waker?.close()
    await sender.flushed()
    // A subscription made meanwhile takes the socket still bound: no moment without a handler.
    const successor = takeSuccessor(this.#settings.context, this.#settings.endpoint)
    if (successor !== undefined) {
      successor.adopt(socket)
      return
    }
    try {
      await socket.unbind(socket.lastEndpoint ?? this.#settings.endpoint)
    } catch (error) {
      process.emitWarning(`zmq-auth could not unbind ${this.#settings.endpoint}: ${messageOf(error)}`)
    }
    // Sessions connected before the unbind may still have sent requests: deny them too.
    while (socket.readable) {
      try {
        this.#handle(await socket.receive())
      } catch {
        break
      }
    }
    await sender.flushed()
    socket.close()
  }

  /** Ends the pending receive() with a message of our own; `null` when that failed and the socket was closed instead. */
  async #wake(socket: Router): Promise<Dealer | null> {
    const waker = new Dealer({ context: this.#settings.context, linger: 0, routingId: this.#wakeId })
    try {
      waker.connect(socket.lastEndpoint ?? this.#settings.endpoint)
      await waker.send(EMPTY)
      return waker
    } catch (error) {
      process.emitWarning(`zmq-auth could not wake the ZAP receive loop, closing without unbinding: ${messageOf(error)}`)
      waker.close()
      await this.#sender?.flushed()
      socket.close()
      await this.#loop
      return null
    }
  }

  #report<T>(listener: ((value: T) => void) | undefined, value: T): void {
    if (listener === undefined) return
    try {
      listener(value)
    } catch (listenerError) {
      process.emitWarning(`a zmq-auth rx callback threw: ${messageOf(listenerError)}`)
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(messageOf(error))
}
