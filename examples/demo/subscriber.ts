import { Subscriber, type Socket } from "zeromq"
import type { KeyPair } from "./certificates.js"

/** The three roles of the scenario. */
export type SubscriberKind = "good" | "bad" | "unknown"

/** How a subscriber's one handshake attempt ended, as its own socket reported it. */
export type HandshakeOutcome =
  { kind: "connected" } | { kind: "denied"; statusCode: number } | { kind: "failed"; reason: string }

/**
 * One CURVE subscriber of the demo. It connects once (no reconnection), so each subscriber
 * makes at most one ZAP request, and counts the numbered messages it receives.
 */
export class DemoSubscriber {
  readonly name: string
  readonly kind: SubscriberKind
  readonly publicKey: string
  /** Settles with the first handshake event of the socket. */
  readonly outcome: Promise<HandshakeOutcome>
  /** Messages received so far. */
  received = 0
  /** Number of the first message received, if any. */
  firstNumber: number | undefined
  /** Number of the last message received, if any. */
  lastNumber: number | undefined
  readonly #socket: Subscriber
  readonly #waiters: Array<{ number: number; resolve: () => void; reject: (error: Error) => void }> = []
  #failure: Error | undefined

  constructor(name: string, kind: SubscriberKind, keys: KeyPair, serverKey: string) {
    this.name = name
    this.kind = kind
    this.publicKey = keys.publicKey
    this.#socket = new Subscriber({
      curveServerKey: serverKey,
      curvePublicKey: keys.publicKey,
      curveSecretKey: keys.secretKey,
      reconnectInterval: -1,
      linger: 0,
    })
    this.outcome = watchHandshake(this.#socket)
    this.#socket.subscribe()
  }

  /** Connects and starts counting messages. */
  connect(endpoint: string): void {
    this.#socket.connect(endpoint)
    void this.#receive()
  }

  /** Resolves once a message numbered `number` or higher arrived; rejects when receiving failed. */
  reached(number: number): Promise<void> {
    if ((this.lastNumber ?? 0) >= number) return Promise.resolve()
    if (this.#failure !== undefined) return Promise.reject(this.#failure)
    return new Promise((resolve, reject) => this.#waiters.push({ number, resolve, reject }))
  }

  /** Closes the socket; its receive loop ends. */
  close(): void {
    this.#socket.close()
  }

  async #receive(): Promise<void> {
    try {
      for await (const [message] of this.#socket) {
        const number = Number(message!.toString())
        this.received++
        this.firstNumber ??= number
        this.lastNumber = number
        for (const waiter of this.#waiters.filter((entry) => entry.number <= number)) {
          this.#waiters.splice(this.#waiters.indexOf(waiter), 1)
          waiter.resolve()
        }
      }
    } catch (error) {
      if (this.#socket.closed) return
      this.#failure = new Error(`${this.name} stopped receiving: ${(error as Error).message}`)
      for (const waiter of this.#waiters.splice(0)) waiter.reject(this.#failure)
    }
  }
}

/** Settles with how the first handshake of `socket` ended, as its own events report it. */
export function watchHandshake(socket: Socket): Promise<HandshakeOutcome> {
  return new Promise((resolve) => {
    const events = socket.events
    events.on("handshake", () => resolve({ kind: "connected" }))
    events.on("handshake:error:auth", (event) => resolve({ kind: "denied", statusCode: event.error.status }))
    events.on("handshake:error:protocol", (event) =>
      resolve({ kind: "failed", reason: `protocol error ${event.error.code}` })
    )
    events.on("handshake:error:other", (event) =>
      resolve({ kind: "failed", reason: describeOtherError(event.error.code) })
    )
    events.on("disconnect", () => resolve({ kind: "failed", reason: "server closed the connection" }))
  })
}

function describeOtherError(code: string): string {
  return code === "EPIPE" || code === "ECONNRESET"
    ? `server closed the connection (${code})`
    : `handshake error ${code}`
}
