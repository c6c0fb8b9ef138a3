import { Authenticator, ZapHandler } from "@zmq-auth/core"
import { startHandwrittenHandler } from "./handwritten-handler.js"

/** The two handlers the NULL overhead benchmark compares. */
export type NullHandlerKind = "hand-written" | "promise loop"

/**
 * Binds a handler of `kind` at `endpoint` (where requests may already wait): the hand-written
 * one, or `ZapHandler` serving an `Authenticator` with no configuration, which allows NULL.
 * Resolves with its stop, which first leaves a quiet moment: the requesting DEALER has just
 * closed, and an unbind racing with its teardown can abort libzmq (see served-endpoint.ts).
 */
export async function startNullHandler(kind: NullHandlerKind, endpoint: string): Promise<() => Promise<void>> {
  let stop: () => Promise<void>
  if (kind === "hand-written") {
    stop = await startHandwrittenHandler(endpoint)
  } else {
    const handler = new ZapHandler(new Authenticator(), { endpoint })
    await handler.start()
    stop = () => handler.stop()
  }
  return async () => {
    await new Promise((resolve) => setTimeout(resolve, 100))
    await stop()
  }
}
