import { afterEach } from "vitest"
import { ThreadAuthenticator } from "@zmq-auth/thread"
import { startServer, type TestServer } from "../helpers/sockets.js"

/** Authenticators and servers for one test, undone after it. */
export interface ThreadKit {
  /** A new `ThreadAuthenticator`, stopped after the test. */
  create(options?: ConstructorParameters<typeof ThreadAuthenticator>[0]): ThreadAuthenticator
  /** A started test server, closed after the test. */
  server(spec: Parameters<typeof startServer>[0]): Promise<TestServer>
  /** Runs `cleanup` after the test; cleanups run in reverse order. */
  defer(cleanup: () => unknown): void
}

/**
 * Call inside a `describe` block: registers an `afterEach` there that stops every authenticator
 * and closes every server the kit made during the test, most recent first.
 */
export function threadKit(): ThreadKit {
  const cleanups: Array<() => unknown> = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })
  return {
    create(options) {
      const authenticator = new ThreadAuthenticator(options)
      cleanups.push(() => authenticator.stop())
      return authenticator
    },
    async server(spec) {
      const started = await startServer(spec)
      cleanups.push(() => started.close())
      return started
    },
    defer(cleanup) {
      cleanups.push(cleanup)
    },
  }
}
