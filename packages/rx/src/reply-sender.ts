import type { Router } from "zeromq"

/**
 * Serialises replies onto the ROUTER: zeromq.js allows one `send()` in progress at a time,
 * while exchanges are answered in any order.
 */
export class ReplySender {
  readonly #socket: Router
  readonly #queue: Buffer[][] = []
  readonly #onError: (error: unknown) => void
  #sending: Promise<void> | undefined

  /** @param onError receives each send failure (the peer's session is gone); the queue keeps going */
  constructor(socket: Router, onError: (error: unknown) => void) {
    this.#socket = socket
    this.#onError = onError
  }

  /** Queues a message: routing id, empty delimiter, then the reply frames. */
  send(message: Buffer[]): void {
    this.#queue.push(message)
    this.#sending ??= this.#drain()
  }

  /** Resolves once every queued message has been handed to libzmq. */
  async flushed(): Promise<void> {
    while (this.#sending !== undefined) await this.#sending
  }

  async #drain(): Promise<void> {
    for (let message = this.#queue.shift(); message !== undefined; message = this.#queue.shift()) {
      try {
        await this.#socket.send(message)
      } catch (error) {
        this.#onError(error)
      }
    }
    this.#sending = undefined
  }
}
