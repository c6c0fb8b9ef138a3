import type { DecisionEvent } from "@zmq-auth/core"
import type { ServedEngine } from "../helpers/adapter.js"
import { decisionAt } from "../helpers/pyzmq-scenarios.js"

/**
 * The decision event of the request whose id is `requestId`, once it has arrived (the thread
 * adapter forwards events after the reply went out, so counting events is not enough).
 */
export async function decisionFor(
  served: Pick<ServedEngine, "decisions" | "nextDecision">,
  requestId: string
): Promise<DecisionEvent> {
  for (let index = 0; ; index++) {
    const decision = await decisionAt(served, index)
    if (decision.request.requestId.toString() === requestId) return decision
  }
}
