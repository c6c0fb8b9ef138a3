import { Dealer } from "zeromq"
import { ZAP_ENDPOINT } from "@zmq-auth/core"

const EMPTY = Buffer.alloc(0)

/** A ZAP reply as a DEALER receives it, split into its fields. */
export interface RawZapReply {
  version: string
  requestId: Buffer
  statusCode: string
  statusText: string
  userId: string
  frameCount: number
}

/**
 * Talks to the ZAP handler of zeromq's global context directly, as libzmq's sessions do: a
 * DEALER sends [empty delimiter, ...frames]; the handler's ROUTER sees
 * [routing id, empty, ...frames] and answers [empty, "1.0", request id, status, text, user id, metadata].
 * Replies are read in order, one `receive()` at a time.
 */
export class ZapClient {
  readonly #dealer: Dealer

  constructor(endpoint = ZAP_ENDPOINT) {
    this.#dealer = new Dealer({ linger: 0, sendTimeout: 10_000, receiveTimeout: 10_000 })
    this.#dealer.connect(endpoint)
  }

  /** Sends the frames of one request (the delimiter is added). */
  async send(frames: readonly Buffer[]): Promise<void> {
    await this.#dealer.send([EMPTY, ...frames])
  }

  /** The next reply; rejects (receiveTimeout, a guard) when none comes within 10 s. */
  async receive(): Promise<RawZapReply> {
    const [delimiter, ...frames] = await this.#dealer.receive()
    if (delimiter?.length !== 0) throw new Error("ZAP reply without the empty delimiter frame")
    const [version, requestId, statusCode, statusText, userId] = frames
    return {
      version: version?.toString() ?? "",
      requestId: requestId ?? EMPTY,
      statusCode: statusCode?.toString() ?? "",
      statusText: statusText?.toString() ?? "",
      userId: userId?.toString() ?? "",
      frameCount: frames.length,
    }
  }

  /** Sends one request and waits for its reply. */
  async request(frames: readonly Buffer[]): Promise<RawZapReply> {
    await this.send(frames)
    return this.receive()
  }

  close(): void {
    this.#dealer.close()
  }
}

/** A well-formed NULL request with the given request id. */
export function nullRequest(requestId: string, address = "127.0.0.1", domain = "sentinel"): Buffer[] {
  return ["1.0", requestId, domain, address, "", "NULL"].map((text) => Buffer.from(text))
}
