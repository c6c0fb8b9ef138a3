import { afterEach } from "vitest"
import type { Subscription } from "rxjs"
import { zapEndpointReleased } from "@zmq-auth/rx"
import type { TestServer } from "../helpers/sockets.js"

/** Subscriptions and servers of one test, undone after it. */
export interface RxKit {
  /** Unsubscribes `subscription` after the test; returns it. */
  keep(subscription: Subscription): Subscription
  /** Closes `server` after the test; returns it. */
  keepServer(server: TestServer): TestServer
}

/**
 * Call inside a `describe` block: registers an `afterEach` there that unsubscribes what the test
 * kept, closes its servers, and waits until the ZAP endpoint is released.
 */
export function rxKit(): RxKit {
  const subscriptions: Subscription[] = []
  const servers: TestServer[] = []
  afterEach(async () => {
    for (const subscription of subscriptions.splice(0)) subscription.unsubscribe()
    for (const server of servers.splice(0)) server.close()
    await zapEndpointReleased()
  })
  return {
    keep(subscription) {
      subscriptions.push(subscription)
      return subscription
    },
    keepServer(server) {
      servers.push(server)
      return server
    },
  }
}
