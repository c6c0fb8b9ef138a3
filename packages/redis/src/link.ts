import { asError } from "@zmq-auth/core/internal"
import { EventEmitter } from "eventemitter3"
import { createClient } from "redis"
import { withDeadline } from "./deadline.js"
import { TrackingFeed } from "./tracking-feed.js"

/** One node-redis connection. */
export type RedisClient = ReturnType<typeof createClient>

/** What {@link RedisLink} needs to know. */
export interface LinkOptions {
  url: string
  trackedPrefix: string
  heartbeatMs: number
  connectTimeoutMs: number
  /** `CLIENT SETNAME` of the connection (no spaces). */
  clientName: string
}

/** Events of {@link RedisLink}. */
export interface LinkEvents {
  /** A connection is ready with tracking verified; `epoch` numbers the connection. */
  up: (epoch: number) => void
  /** The ready connection was lost (closed, errored, or silent for 4 heartbeats). */
  down: (error: Error) => void
  /** A connection attempt failed (the link stays down and retries). */
  "attempt:failed": (error: Error) => void
  /** A key under the tracked prefix changed (`null`: every key, as after FLUSHALL). */
  invalidate: (key: string | null) => void
  /** Every invalidation sent before `at` (performance.now()) has been received on connection `epoch`. */
  confirmed: (epoch: number, at: number) => void
}

const SILENT_HEARTBEATS = 4
const MAX_RETRY_MS = 1000

/**
 * The store's connection to Redis: one RESP3 node-redis client at a time with
 * `CLIENT TRACKING ON BCAST PREFIX` armed in its handshake, a PING watchdog, and its own
 * reconnect loop. node-redis alone keeps a frozen or half-open connection "ready" forever and
 * stops timing a command once it is written; so a connection that leaves 4 heartbeats without
 * an answer is destroyed (failing every command on it) and replaced by a new client.
 */
export class RedisLink extends EventEmitter<LinkEvents> {
  readonly #options: LinkOptions
  #client: RedisClient | undefined
  #up = false
  #epoch = 0
  #closed = false
  #failures = 0
  #confirmedAt = 0
  #pingSentAt: number | undefined
  #lastTickAt = 0
  #skippedLate = false
  #retryTimer: NodeJS.Timeout | undefined
  readonly #heartbeat: NodeJS.Timeout

  constructor(options: LinkOptions) {
    super()
    this.#options = options
    this.#heartbeat = setInterval(() => this.#tick(), options.heartbeatMs)
    this.#heartbeat.unref()
  }

  /** Whether a connection is ready and answered within the last 4 heartbeats. */
  get up(): boolean {
    return this.#up
  }

  /** The number of the current connection (grows with every attempt). */
  get epoch(): number {
    return this.#epoch
  }

  /** Starts connecting; resolves once the first attempt succeeded or failed. */
  start(): Promise<void> {
    return this.#connect()
  }

  /** The ready client, or `undefined` while down. */
  get client(): RedisClient | undefined {
    return this.#up ? this.#client : undefined
  }

  /** Closes the connection and stops reconnecting. */
  async close(): Promise<void> {
    this.#closed = true
    clearInterval(this.#heartbeat)
    clearTimeout(this.#retryTimer)
    const client = this.#client
    this.#client = undefined
    this.#up = false
    if (client === undefined) return
    try {
      await withDeadline(client.close(), this.#options.connectTimeoutMs, "closing the Redis connection")
    } catch {
      client.destroy()
    }
  }

  async #connect(): Promise<void> {
    if (this.#closed) return
    const epoch = ++this.#epoch
    const options = this.#options
    // eslint-disable-next-line prefer-const -- the feed callback below reads it before it is assigned
    let client: RedisClient | undefined
    const feed = new TrackingFeed(options.trackedPrefix, (key) => {
      if (this.#client === client && client !== undefined) this.emit("invalidate", key)
    })
    const socket = { reconnectStrategy: false as const, connectTimeout: options.connectTimeoutMs }
    client = createClient({
      ...(options.url.startsWith("unix://")
        ? { socket: { ...socket, path: new URL(options.url).pathname } }
        : { url: options.url, socket }),
      RESP: 3,
      name: options.clientName,
      clientSideCache: feed,
      disableOfflineQueue: true,
    })
    this.#client = client
    const current = client
    client.on("error", (error: unknown) => this.#lose(current, asError(error)))
    client.on("end", () => this.#lose(current, new Error("the Redis connection closed")))
    try {
      await withDeadline(client.connect(), options.connectTimeoutMs, `connecting to Redis at ${redactUrl(options.url)}`)
      const armedAt = performance.now()
      const info = await withDeadline(
        client.sendCommand(["CLIENT", "TRACKINGINFO"]),
        options.connectTimeoutMs,
        "CLIENT TRACKINGINFO"
      )
      const problem = trackingProblem(info, options.trackedPrefix)
      if (problem !== undefined) throw new Error(problem)
      if (this.#client !== current || this.#closed) return
      this.#up = true
      this.#failures = 0
      this.#confirmedAt = armedAt
      this.#pingSentAt = undefined
      this.emit("up", epoch)
    } catch (error) {
      if (this.#client !== current) return
      this.#client = undefined
      current.destroy()
      this.emit("attempt:failed", asError(error))
      this.#scheduleRetry()
    }
  }

  #lose(client: RedisClient, error: Error): void {
    if (this.#client !== client || !this.#up) return
    this.#client = undefined
    this.#up = false
    this.#pingSentAt = undefined
    try {
      client.destroy()
    } catch {
      // already torn down
    }
    this.emit("down", error)
    this.#scheduleRetry()
  }

  #scheduleRetry(): void {
    if (this.#closed) return
    const delay = Math.min(MAX_RETRY_MS, this.#failures === 0 ? 0 : 50 * 2 ** (this.#failures - 1))
    this.#failures++
    clearTimeout(this.#retryTimer)
    this.#retryTimer = setTimeout(() => void this.#connect(), delay)
    this.#retryTimer.unref()
  }

  #tick(): void {
    const now = performance.now()
    // A tick that comes late means this process was stalled: the answer may sit unread in the
    // socket, so judge Redis at the next tick, not now (but never skip two ticks in a row, or a
    // process that is always late would never judge).
    const late = !this.#skippedLate && this.#lastTickAt !== 0 && now - this.#lastTickAt > 2 * this.#options.heartbeatMs
    this.#skippedLate = late
    this.#lastTickAt = now
    const client = this.#client
    if (!this.#up || client === undefined || late) return
    const silence = SILENT_HEARTBEATS * this.#options.heartbeatMs
    if (now - this.#confirmedAt > silence) {
      this.#lose(
        client,
        new Error(
          `Redis did not answer for ${Math.round(now - this.#confirmedAt)} ms (${SILENT_HEARTBEATS} heartbeats)`
        )
      )
      return
    }
    if (this.#pingSentAt !== undefined) return
    const sentAt = now
    this.#pingSentAt = sentAt
    const epoch = this.#epoch
    client.sendCommand(["PING"]).then(
      () => {
        if (this.#client !== client || this.#pingSentAt !== sentAt) return
        this.#pingSentAt = undefined
        this.#confirmedAt = sentAt
        this.emit("confirmed", epoch, sentAt)
      },
      () => undefined
    )
  }
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password !== "") parsed.password = "***"
    return parsed.toString()
  } catch {
    return "(unparsable URL)"
  }
}

function trackingProblem(info: unknown, prefix: string): string | undefined {
  const entries = info instanceof Map ? Object.fromEntries(info) : (info as Record<string, unknown> | null)
  const flags = (entries?.flags as unknown[] | undefined)?.map(String) ?? []
  const prefixes = (entries?.prefixes as unknown[] | undefined)?.map(String) ?? []
  if (!flags.includes("on") || !flags.includes("bcast") || !prefixes.includes(prefix)) {
    return `CLIENT TRACKINGINFO shows no BCAST tracking of ${prefix} (flags ${flags.join(",")})`
  }
  return undefined
}
