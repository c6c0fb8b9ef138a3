import { Authenticator } from "@zmq-auth/core"
import { authenticate, zapEndpointReleased, zapRequests } from "@zmq-auth/rx"
import { MECHANISMS } from "./credentials.js"
import { configurePolicy } from "./policy.js"
import { retryWhileBound } from "./retry.js"
import type { ZapVariant } from "./zap-variants.js"

/** The stream adapter of @zmq-auth/rx: `zapRequests().pipe(authenticate(engine))`. */
export const RX: ZapVariant = {
  name: "rx (zapRequests + authenticate)",
  hardened: true,
  minimumRatio: 0.9,
  mechanisms: MECHANISMS,
  async start(credentials, configure = configurePolicy) {
    const authenticator = new Authenticator()
    await configure(authenticator, credentials)
    const subscription = await retryWhileBound(() => {
      let failure: unknown
      // Subscribing binds at once; a binding failure is an error notification.
      const candidate = zapRequests()
        .pipe(authenticate(authenticator))
        .subscribe({
          error: (error: unknown) => {
            failure = error
          },
        })
      return failure === undefined ? Promise.resolve(candidate) : Promise.reject(failure)
    })
    return async () => {
      subscription.unsubscribe()
      await zapEndpointReleased()
    }
  },
}
