import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { Authenticator, z85, type CredentialCheck, type CredentialStore, type ZapRequest } from "@zmq-auth/core"
import type { RedisCredentialStore } from "@zmq-auth/redis"
import { BENCH_DOMAIN } from "../handshake/credentials.js"
import type { BenchRedis } from "./redis-server.js"

/** Decisions made at once (each lane awaits its previous decision). */
const LANES = 32
/**
 * Decisions answered from memory settle in microtasks alone: every lane pauses for a macrotask
 * after this many of its decisions, so timers and I/O (the store's heartbeat) run, as they would
 * between decisions arriving on a socket.
 */
const YIELD_EVERY = 16
/** The store reports Redis down after 4 silent heartbeats (1 s) and up after a reconnection. */
const STATE_CHANGE_WAIT_MS = 10_000

/** What a run of decisions through the engine showed. */
export interface DecisionRun {
  perSecond: number
  /** Replies per status code. */
  statuses: Map<number, number>
  /** Replies "Too many pending checks" (maxPendingChecks saturated). */
  saturated: number
  /** Most store calls outstanding at once, and those still outstanding after the run. */
  maxInFlight: number
  inFlightAfter: number
}

/** The outage measurements: decisions with Redis up (warm cache) and frozen, and the heap across the frozen run. */
export interface OutageMeasurement {
  up: DecisionRun
  down: DecisionRun
  heapBeforeBytes: number
  heapAfterBytes: number
  /** Whether the heap was measured after a full garbage collection. */
  collected: boolean
}

/** `gc()`, exposed on demand when Node was not started with --expose-gc. */
function garbageCollector(): (() => void) | undefined {
  const exposed = (globalThis as { gc?: () => void }).gc
  if (exposed !== undefined) return exposed
  try {
    setFlagsFromString("--expose-gc")
    return runInNewContext("gc") as () => void
  } catch {
    return undefined
  }
}

/** A store passing CURVE checks to `store`, counting the calls outstanding. */
class CountingStore implements CredentialStore {
  inFlight = 0
  maxInFlight = 0
  readonly #store: RedisCredentialStore

  constructor(store: RedisCredentialStore) {
    this.#store = store
  }

  async checkCurveKey(domain: string, publicKey: string, check?: CredentialCheck) {
    this.inFlight++
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight)
    try {
      return await this.#store.checkCurveKey(domain, publicKey, check)
    } finally {
      this.inFlight--
    }
  }
}

/** Resolves on the store's next `event`; rejects when it has not come within {@link STATE_CHANGE_WAIT_MS}. */
function storeEvent(store: RedisCredentialStore, event: "store:up" | "store:down"): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      store.off(event, settle)
      reject(new Error(`the store did not emit ${event} within ${STATE_CHANGE_WAIT_MS} ms`))
    }, STATE_CHANGE_WAIT_MS)
    const settle = (): void => {
      clearTimeout(timer)
      resolve()
    }
    store.once(event, settle)
  })
}

function curveRequest(number: number, publicKey: string): ZapRequest {
  return {
    version: "1.0",
    requestId: Buffer.from(String(number)),
    domain: BENCH_DOMAIN,
    address: "127.0.0.1",
    identity: Buffer.alloc(0),
    mechanism: "CURVE",
    credentials: [Buffer.from(z85.decode(publicKey))],
  }
}

async function decide(
  engine: Authenticator,
  counting: CountingStore,
  requests: readonly ZapRequest[],
  count: number
): Promise<DecisionRun> {
  counting.maxInFlight = 0
  const statuses = new Map<number, number>()
  let saturated = 0
  let next = 0
  const started = performance.now()
  async function lane(): Promise<void> {
    for (let decided = 1; next < count; decided++) {
      const reply = await engine.authenticate(requests[next++ % requests.length]!)
      statuses.set(reply.statusCode, (statuses.get(reply.statusCode) ?? 0) + 1)
      if (reply.statusText === "Too many pending checks") saturated++
      if (decided % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve))
    }
  }
  await Promise.all(Array.from({ length: LANES }, lane))
  const elapsedMs = performance.now() - started
  return {
    perSecond: (count * 1000) / elapsedMs,
    statuses,
    saturated,
    maxInFlight: counting.maxInFlight,
    inFlightAfter: counting.inFlight,
  }
}

/**
 * `count` CURVE decisions through an engine whose `"*"` store is `store` (keys `publicKeys`,
 * known to it), first with Redis up, then with Redis frozen (SIGSTOP) once the store reported
 * it down; the heap is read before and after the frozen run (after a full collection when possible).
 * Redis is resumed (SIGCONT) before returning.
 */
export async function measureOutage(
  redis: BenchRedis,
  store: RedisCredentialStore,
  publicKeys: readonly string[],
  count: number
): Promise<OutageMeasurement> {
  const counting = new CountingStore(store)
  const engine = new Authenticator().configureStore("*", counting)
  const requests = publicKeys.map((publicKey, index) => curveRequest(index, publicKey))
  await decide(engine, counting, requests, Math.ceil(count / 4))
  const up = await decide(engine, counting, requests, count)
  if (store.state !== "up") await storeEvent(store, "store:up")
  const down = storeEvent(store, "store:down")
  redis.signal("SIGSTOP")
  try {
    if (store.state === "up") await down
    else down.catch(() => undefined)
    const gc = garbageCollector()
    await decide(engine, counting, requests, Math.ceil(count / 4))
    gc?.()
    const heapBeforeBytes = process.memoryUsage().heapUsed
    const frozen = await decide(engine, counting, requests, count)
    gc?.()
    const heapAfterBytes = process.memoryUsage().heapUsed
    if (store.state !== "down") throw new Error(`the store came back (${store.state}) during the outage run`)
    return { up, down: frozen, heapBeforeBytes, heapAfterBytes, collected: gc !== undefined }
  } finally {
    redis.signal("SIGCONT")
  }
}
