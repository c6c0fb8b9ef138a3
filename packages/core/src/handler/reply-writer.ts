import type { Router } from "zeromq"

/**
 * Serialises replies onto a ROUTER socket: zeromq.js allows one `send()` in progress at a time,
 * while decisions finish in any order. A reply written while no send is in progress is handed
 * to zeromq.js at once.
 */
export class ReplyWriter {
  readonly #socket: Router
  readonly #queue: Buffer[][] = []
  readonly #onError: (error: unknown) => void
  /** The send in progress, settled once its outcome is handled; undefined when idle. */
  #writing: Promise<void> | undefined
  readonly #sent = (): void => this.#sendQueued()
  readonly #failed = (error: unknown): void => {
    this.#onError(error)
    this.#sendQueued()
  }

  /** @param onError receives each send failure; the queue keeps going */
  constructor(socket: Router, onError: (error: unknown) => void) {
    this.#socket = socket
    this.#onError = onError
  }

  /** Sends a message (routing id, empty delimiter, then the reply frames), or queues it behind the send in progress. */
  write(message: Buffer[]): void {
    if (this.#writing === undefined) this.#send(message)
    else this.#queue.push(message)
  }

  /** Resolves once every queued message has been handed to libzmq. */
  async flushed(): Promise<void> {
    while (this.#writing !== undefined) await this.#writing
  }

  /** Starts sending `message`, then the next queued one, until one is in progress or none is left. */
  #send(message: Buffer[] | undefined): void {
    for (; message !== undefined; message = this.#queue.shift()) {
      try {
        this.#writing = this.#socket.send(message).then(this.#sent, this.#failed)
        return
      } catch (error) {
        this.#onError(error)
      }
    }
    this.#writing = undefined
  }

  #sendQueued(): void {
    this.#send(this.#queue.shift())
  }
}
