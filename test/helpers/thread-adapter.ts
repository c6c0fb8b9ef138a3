import { ThreadAuthenticator } from "@zmq-auth/thread"
import { collectDecisions, type AdapterUnderTest } from "./adapter.js"

/** The worker-thread adapter: `ThreadAuthenticator`, engine and handler on a worker thread. */
export const threadAdapter: AdapterUnderTest = {
  name: "thread",
  async serve(options = {}) {
    const engine = new ThreadAuthenticator(options)
    const decisions = collectDecisions(engine)
    await engine.start()
    return { engine, ...decisions, stop: () => engine.stop() }
  },
}
