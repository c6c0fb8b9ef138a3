import { ThreadAuthenticator } from "@zmq-auth/thread"
import { STORE_EVENTS } from "@zmq-auth/core"
import { collectDecisions, collectStoreEvents, type AdapterUnderTest } from "./adapter.js"

/** The worker-thread adapter: `ThreadAuthenticator`, engine and handler on a worker thread. */
export const threadAdapter: AdapterUnderTest = {
  name: "thread",
  async serve(options = {}) {
    const engine = new ThreadAuthenticator(options)
    const decisions = collectDecisions(engine)
    const storeEvents = collectStoreEvents([engine], STORE_EVENTS)
    await engine.start()
    return { engine, ...decisions, ...storeEvents, stop: () => engine.stop() }
  },
}
