import { Authenticator } from "@zmq-auth/core"
import { authenticate, guardPlainFailures, zapRequests } from "@zmq-auth/rx"
import type { Subscription } from "rxjs"

/**
 * Serves `engine`, but once an address failed PLAIN `maxFailures` times within `windowMs`, its
 * requests are denied with 400 "Too many failed attempts" before reaching the engine.
 */
export function serveWithBruteForceGuard(
  engine: Authenticator,
  { maxFailures = 5, windowMs = 60_000, log = console.warn } = {}
): Subscription {
  return zapRequests()
    .pipe(
      guardPlainFailures({
        maxFailures,
        windowMs,
        onBlocked: (request) => log(`blocked PLAIN brute force from ${request.address}`),
      }),
      authenticate(engine, { concurrency: 64 })
    )
    .subscribe()
}
