import { authenticate, zapEndpointReleased, zapRequests } from "@zmq-auth/rx"
import { STORE_EVENTS } from "@zmq-auth/core"
import { collectDecisions, collectStoreEvents, type AdapterUnderTest } from "./adapter.js"
import { createEngine } from "./create-engine.js"

/** The rx adapter: `Authenticator` decided through `zapRequests().pipe(authenticate(engine))`. */
export const rxAdapter: AdapterUnderTest = {
  name: "rx",
  async serve(options = {}) {
    const engine = await createEngine(options)
    let failure: unknown
    const subscription = zapRequests()
      .pipe(authenticate(engine))
      .subscribe({
        error: (error: unknown) => {
          failure = error
        },
      })
    if (failure !== undefined) throw failure
    return {
      engine,
      ...collectDecisions(engine),
      ...collectStoreEvents(engine.stores, STORE_EVENTS),
      async stop() {
        subscription.unsubscribe()
        await zapEndpointReleased()
      },
    }
  },
}
