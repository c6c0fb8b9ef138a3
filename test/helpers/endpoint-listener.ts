import { Dealer, type Context } from "zeromq"
import type { ZapProtocolError, ZapReply } from "@zmq-auth/core"
import type { ZapEndpointListener, ZapExchange } from "@zmq-auth/core/internal"
import { zapFrames } from "./sockets.js"

/** A reply that allows with user id `userId`. */
export const allowAs = (userId: string): Omit<ZapReply, "requestId"> => ({ statusCode: 200, statusText: "OK", userId })

/**
 * A {@link ZapEndpointListener} that records what the endpoint hands it. `answer` gives the reply
 * of each exchange at once, or `undefined` to hold it for the test to answer.
 */
export class RecordingListener implements ZapEndpointListener {
  readonly exchanges: ZapExchange[] = []
  readonly protocolErrors: ZapProtocolError[] = []
  readonly replyErrors: Error[] = []
  readonly #answer: (exchange: ZapExchange) => Omit<ZapReply, "requestId"> | undefined
  #waiters: Array<{ reached: () => boolean; resolve: () => void }> = []

  constructor(answer: (exchange: ZapExchange) => Omit<ZapReply, "requestId"> | undefined = () => undefined) {
    this.#answer = answer
  }

  exchange(exchange: ZapExchange): void {
    this.exchanges.push(exchange)
    const reply = this.#answer(exchange)
    if (reply !== undefined) exchange.reply(reply)
    this.#check()
  }

  protocolError(error: ZapProtocolError): void {
    this.protocolErrors.push(error)
    this.#check()
  }

  replyError(error: Error): void {
    this.replyErrors.push(error)
    this.#check()
  }

  /** The exchanges not answered yet. */
  get held(): ZapExchange[] {
    return this.exchanges.filter((exchange) => !exchange.answered)
  }

  /** Resolves once `reached()` holds, checked after each call of the listener. */
  until(reached: () => boolean): Promise<void> {
    if (reached()) return Promise.resolve()
    return new Promise((resolve) => this.#waiters.push({ reached, resolve }))
  }

  #check(): void {
    const ready = this.#waiters.filter((waiter) => waiter.reached())
    this.#waiters = this.#waiters.filter((waiter) => !ready.includes(waiter))
    for (const waiter of ready) waiter.resolve()
  }
}

/** A DEALER speaking ZAP to an endpoint of `context`, as libzmq's sessions do (empty delimiter first). */
export class ZapClient {
  readonly dealer: Dealer

  constructor(context: Context, endpoint: string) {
    this.dealer = new Dealer({ context, linger: 0, receiveTimeout: 10_000 })
    this.dealer.connect(endpoint)
  }

  /** Sends a NULL request with `requestId`. */
  async request(requestId: string): Promise<void> {
    await this.dealer.send([Buffer.alloc(0), ...zapFrames({ mechanism: "NULL", requestId })])
  }

  /** The next reply: request id, status code, status text and user id. */
  async reply(): Promise<string[]> {
    const [, ...frames] = await this.dealer.receive()
    return frames.slice(1, 5).map(String)
  }

  close(): void {
    this.dealer.close()
  }
}

/** The reply of one NULL request from a new client of `context` to the ZAP endpoint `endpoint`. */
export async function answerOnce(context: Context, endpoint: string, requestId: string): Promise<string[]> {
  const client = new ZapClient(context, endpoint)
  try {
    await client.request(requestId)
    return await client.reply()
  } finally {
    client.close()
  }
}
