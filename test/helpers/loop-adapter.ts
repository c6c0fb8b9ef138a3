import { STORE_EVENTS, ZapHandler } from "@zmq-auth/core"
import { collectDecisions, collectStoreEvents, type AdapterUnderTest } from "./adapter.js"
import { createEngine } from "./create-engine.js"

/** The promise-loop adapter: `Authenticator` served by `ZapHandler` on this event loop. */
export const loopAdapter: AdapterUnderTest = {
  name: "loop",
  async serve(options = {}) {
    const engine = await createEngine(options)
    const handler = new ZapHandler(engine)
    await handler.start()
    return {
      engine,
      ...collectDecisions(engine),
      ...collectStoreEvents(engine.stores, STORE_EVENTS),
      stop: () => handler.stop(),
    }
  },
}
