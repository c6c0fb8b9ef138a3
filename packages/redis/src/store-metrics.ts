import { metricsRecorder } from "@zmq-auth/core/internal"
import type { StoreState } from "./redis-credential-store.js"

/**
 * The Redis store's measurements, recorded through core's recorder: OpenTelemetry on the main
 * thread, the batch a `ThreadAuthenticator` worker forwards to the main thread's instruments.
 */
export const storeMetrics = {
  /** Lookups answered from the local cache, and those that read Redis. */
  lookups(hits: number, misses: number): void {
    const recorder = metricsRecorder()
    if (!recorder.enabled) return
    if (hits > 0) recorder.add("zmq_auth.store.cache.hits", hits)
    if (misses > 0) recorder.add("zmq_auth.store.cache.misses", misses)
  },
  /** An invalidation pushed by Redis (one key, or the whole cache). */
  invalidation(): void {
    metricsRecorder().add("zmq_auth.store.cache.invalidations", 1)
  },
  /** The store's state: 1 for the current one, 0 for the others. */
  state(current: StoreState): void {
    const recorder = metricsRecorder()
    for (const state of ["up", "stale", "down"] as const)
      recorder.set("zmq_auth.store.state", state === current ? 1 : 0, { state })
  },
  /** Seconds since Redis last answered, while cached entries still decide without it (0 when up). */
  staleness(seconds: number): void {
    metricsRecorder().set("zmq_auth.store.staleness", seconds)
  },
  /** The generation of changes this store applied. */
  generation(generation: number): void {
    metricsRecorder().set("zmq_auth.store.generation", generation)
  },
  /** A password hash queued (+1) or finished (-1). */
  hashQueue(change: 1 | -1): void {
    metricsRecorder().add("zmq_auth.store.password_hash.queue", change)
  },
  /** The seconds one password hash took. */
  hashDuration(seconds: number): void {
    metricsRecorder().record("zmq_auth.store.password_hash.duration", seconds)
  },
}
