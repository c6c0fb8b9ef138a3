import { afterAll, afterEach, beforeAll } from "vitest"
import { RedisCredentialStore, type RedisCredentialStoreOptions } from "@zmq-auth/redis"
import { startRedisServer, type RedisServer } from "./redis-server.js"

/**
 * Store options for tests on a loaded 2-core machine: a 300 ms heartbeat (Redis silent for 1.2 s
 * is down), reads allowed 1 s, and a cheap scrypt cost so setPassword stays fast.
 */
export const TEST_STORE_OPTIONS = {
  heartbeatMs: 300,
  lookupTimeoutMs: 1000,
  scryptCost: { logN: 10, r: 8, p: 1 },
} satisfies RedisCredentialStoreOptions

/** Stores opened by a test file, closed by `closeStores`. */
const opened = new Set<RedisCredentialStore>()

/** Connects a store to `url` with the test options (and `options` over them). */
export async function openStore(url: string, options: RedisCredentialStoreOptions = {}): Promise<RedisCredentialStore> {
  const store = await RedisCredentialStore.connect({ ...TEST_STORE_OPTIONS, url, ...options })
  opened.add(store)
  return store
}

/** Closes every store `openStore` opened. */
export async function closeStores(): Promise<void> {
  const stores = [...opened]
  opened.clear()
  await Promise.all(stores.map((store) => store.close()))
}

/** Resolves once `store` emitted `event` (for `store:down` / `store:up`). */
export async function nextEvent(store: RedisCredentialStore, event: "store:down" | "store:up"): Promise<void> {
  await new Promise<void>((resolve) => store.once(event, () => resolve()))
}

/**
 * Starts a `redis-server` for the test file (before all tests), closes the stores a test opened,
 * thaws and empties the server after each test, and stops it after all.
 */
export function useRedisServer(): { readonly server: RedisServer } {
  const holder: { server: RedisServer } = { server: undefined as unknown as RedisServer }
  beforeAll(async () => {
    holder.server = await startRedisServer()
  })
  afterEach(async () => {
    await closeStores()
    holder.server.signal("SIGCONT")
    await holder.server.cli("FLUSHALL")
  })
  afterAll(async () => {
    await holder.server?.stop()
  })
  return holder
}
