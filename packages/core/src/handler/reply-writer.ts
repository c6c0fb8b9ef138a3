import type { Router } from "zeromq"

/**
 * Serialises replies onto a ROUTER socket: zeromq.js allows one `send()` in progress at a time,
 * while decisions finish in any order.
 */
export class ReplyWriter {
  readonly #socket: Router
  readonly #queue: Buffer[][] = []
  readonly #onError: (error: unknown) => void
  #writing: Promise<void> | undefined

  /** @param onError receives each send failure; the queue keeps going */
  constructor(socket: Router, onError: (error: unknown) => void) {
    this.#socket = socket
    this.#onError = onError
  }

  /** Queues a message (routing id, empty delimiter, then the reply frames). */
  write(message: Buffer[]): void {
    this.#queue.push(message)
    this.#writing ??= this.#drain()
  }

  /** Resolves once every queued message has been handed to libzmq. */
  async flushed(): Promise<void> {
    while (this.#writing !== undefined) await this.#writing
  }

  async #drain(): Promise<void> {
    for (let message = this.#queue.shift(); message !== undefined; message = this.#queue.shift()) {
      try {
        await this.#socket.send(message)
      } catch (error) {
        this.#onError(error)
      }
    }
    this.#writing = undefined
  }
}
