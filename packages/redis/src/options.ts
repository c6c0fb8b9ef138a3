import { hostname } from "node:os"
import { checkScryptCost, DEFAULT_SCRYPT_COST, type ScryptCost } from "./password-hash.js"

/** Options of {@link RedisCredentialStore.connect}. */
export interface RedisCredentialStoreOptions {
  /**
   * Where Redis listens: `redis://`, `rediss://` (TLS) URL with user and password if needed.
   * Default `"redis://127.0.0.1:6379"`.
   */
  url?: string
  /** The key namespace; every key of a namespace lives in one Redis Cluster slot. Default `"zmq-auth"`. */
  namespace?: string
  /** Milliseconds one Redis read may take; past it the check answers 300. Default 250. */
  lookupTimeoutMs?: number
  /** Milliseconds between watchdog PINGs; 4 unanswered intervals mark Redis down. Default 250. */
  heartbeatMs?: number
  /**
   * Milliseconds for which entries confirmed before Redis became unreachable still decide.
   * Default 0: every decision that needs Redis answers 300 "Credential store unavailable".
   * Revocations the store knows of always apply.
   */
  maxStalenessMs?: number
  /** Milliseconds one connection attempt may take (TCP, handshake, tracking check). Default 1500, at most 2000. */
  connectTimeoutMs?: number
  /**
   * This store's name in the fleet (`waitForFleet` reports it), or `false` for a store that only
   * makes changes (a CLI, an admin tool) and does not report acknowledgements.
   * Default `"<hostname>:<pid>"` (`"<hostname>:<pid>:2"` for a second store of the process, ...).
   */
  node?: string | false
  /** scrypt cost of the passwords `setPassword` hashes. Default N = 2^15, r = 8, p = 3. */
  scryptCost?: ScryptCost
  /** Credential records cached in memory at most. Default 100000. */
  cacheEntries?: number
  /**
   * Milliseconds a PLAIN check may wait for one of the 2 hashing slots before it answers 300
   * "Credential store busy". Keep it under the engine's `callbackTimeoutMs` minus one hash, so a
   * saturated store answers 300 rather than the engine's 500. Default 1000.
   */
  hashWaitMs?: number
}

/** Options with their defaults applied. */
export interface ResolvedOptions {
  url: string
  namespace: string
  lookupTimeoutMs: number
  heartbeatMs: number
  maxStalenessMs: number
  connectTimeoutMs: number
  node: string | false
  scryptCost: ScryptCost
  cacheEntries: number
  hashWaitMs: number
}

function milliseconds(name: string, value: unknown, fallback: number, { min = 1, max = 2 ** 31 - 1 } = {}): number {
  if (value === undefined) return fallback
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`${name} must be an integer number of milliseconds from ${min} to ${max}, got ${String(value)}`)
  }
  return value
}

function text(name: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback
  if (typeof value !== "string" || value === "")
    throw new TypeError(
      `${name} must be a non-empty string, got ${typeof value === "string" ? "an empty string" : typeof value}`
    )
  return value
}

let storesInProcess = 0

/** `<hostname>:<pid>` for the first store of a process, then `<hostname>:<pid>:2`, `:3`, ... */
function defaultNodeName(): string {
  storesInProcess++
  return storesInProcess === 1 ? `${hostname()}:${process.pid}` : `${hostname()}:${process.pid}:${storesInProcess}`
}

/** Validates `options` (a `TypeError` names the first bad one) and applies the defaults. */
export function resolveOptions(options: RedisCredentialStoreOptions): ResolvedOptions {
  if (options === null || typeof options !== "object") throw new TypeError("options must be an object")
  const url = text("url", options.url, "redis://127.0.0.1:6379")
  if (!/^(rediss?|unix):\/\//.test(url)) throw new TypeError("url must start with redis://, rediss:// or unix://")
  const scryptCost = options.scryptCost ?? DEFAULT_SCRYPT_COST
  checkScryptCost(scryptCost, "scryptCost")
  const node = options.node === false ? false : text("node", options.node, defaultNodeName())
  const cacheEntries = options.cacheEntries ?? 100_000
  if (!Number.isInteger(cacheEntries) || cacheEntries < 1)
    throw new TypeError(`cacheEntries must be a positive integer, got ${String(cacheEntries)}`)
  return {
    url,
    namespace: text("namespace", options.namespace, "zmq-auth"),
    lookupTimeoutMs: milliseconds("lookupTimeoutMs", options.lookupTimeoutMs, 250),
    heartbeatMs: milliseconds("heartbeatMs", options.heartbeatMs, 250, { min: 10 }),
    maxStalenessMs: milliseconds("maxStalenessMs", options.maxStalenessMs, 0, { min: 0 }),
    connectTimeoutMs: milliseconds("connectTimeoutMs", options.connectTimeoutMs, 1500, { max: 2000 }),
    node,
    scryptCost: { ...scryptCost },
    cacheEntries,
    hashWaitMs: milliseconds("hashWaitMs", options.hashWaitMs, 1000),
  }
}
