import { BasicClientSideCache } from "redis"

/**
 * Hooks into node-redis's client-side caching seam without caching anything: node-redis sends
 * {@link TrackingFeed.trackingOn}'s command in every connection handshake (so tracking is on
 * before the first read of every connection), and hands each RESP3 `invalidate` push to
 * {@link TrackingFeed.invalidate}. Reads pass through untouched: the store keeps its own cache,
 * which must outlive a disconnect (node-redis clears its cache on any error).
 */
export class TrackingFeed extends BasicClientSideCache {
  readonly #prefix: string
  readonly #onInvalidate: (key: string | null) => void

  /** @param prefix the key prefix to track in BCAST mode; `onInvalidate(null)` means "everything" (FLUSHALL) */
  constructor(prefix: string, onInvalidate: (key: string | null) => void) {
    super({ maxEntries: 1, recordStats: false })
    this.#prefix = prefix
    this.#onInvalidate = onInvalidate
  }

  override trackingOn(): string[] {
    return ["CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", this.#prefix]
  }

  override handleCache(...args: Parameters<BasicClientSideCache["handleCache"]>): Promise<unknown> {
    const [, parser, send, transformReply, typeMapping] = args
    return send().then((reply) =>
      transformReply === undefined ? reply : transformReply(reply, parser.preserve, typeMapping)
    )
  }

  override invalidate(key: Parameters<BasicClientSideCache["invalidate"]>[0]): void {
    this.#onInvalidate(key === null ? null : Buffer.isBuffer(key) ? key.toString("utf8") : String(key))
  }

  override onError(): void {}

  override onClose(): void {}
}
