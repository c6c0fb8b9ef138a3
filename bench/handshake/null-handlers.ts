import { Authenticator, ZapHandler } from "@zmq-auth/core"
import { AUTHENTICATE_NOW, decideNowOf, type DecidingEngine } from "@zmq-auth/core/internal"
import { startHandwrittenHandler } from "./handwritten-handler.js"

/** The two handlers the NULL overhead benchmark compares. */
export type NullHandlerKind = "hand-written" | "promise loop"

/**
 * Binds a handler of `kind` at `endpoint` (where requests may already wait): the hand-written
 * one, or `ZapHandler` serving an `Authenticator` with no configuration, which allows NULL.
 * `answered` (if given) is called once per request answered: by the hand-written handler once
 * the reply is handed to zeromq.js, by the promise loop once the engine decided (its reply is
 * then written at once). Resolves with its stop, which first leaves a quiet moment: the
 * requesting DEALER has just closed, and an unbind racing with its teardown can abort libzmq
 * (see served-endpoint.ts).
 */
export async function startNullHandler(
  kind: NullHandlerKind,
  endpoint: string,
  answered?: () => void
): Promise<() => Promise<void>> {
  let stop: () => Promise<void>
  if (kind === "hand-written") {
    stop = await startHandwrittenHandler(endpoint, undefined, answered)
  } else {
    const authenticator = new Authenticator()
    const handler = new ZapHandler(answered === undefined ? authenticator : counting(authenticator, answered), {
      endpoint,
    })
    await handler.start()
    stop = () => handler.stop()
  }
  return async () => {
    await new Promise((resolve) => setTimeout(resolve, 100))
    await stop()
  }
}

/** `engine`, deciding at once as it does, and calling `decided` after each decision. */
function counting(engine: Authenticator, decided: () => void): DecidingEngine {
  const decideNow = decideNowOf(engine)
  return {
    authenticate: (request, options) => engine.authenticate(request, options),
    [AUTHENTICATE_NOW]: (request, options) => {
      const reply = decideNow(request, options)
      decided()
      return reply
    },
  }
}
