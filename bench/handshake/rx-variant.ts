import { Authenticator } from "@zmq-auth/core"
import type { Observable, OperatorFunction } from "rxjs"
import { MECHANISMS } from "./credentials.js"
import { configurePolicy } from "./policy.js"
import { waitForZapHandler } from "./probe.js"
import { retryWhileBound } from "./retry.js"
import type { MissingVariant, ZapVariant } from "./zap-variants.js"

/** The part of the @zmq-auth/rx module the benchmarks use (API.md). */
interface RxModule {
  zapRequests(): Observable<unknown>
  authenticate(engine: Pick<Authenticator, "authenticate">): OperatorFunction<unknown, unknown>
}

const NAME = "rx (zapRequests + authenticate)"

/**
 * The rx adapter, `zapRequests().pipe(authenticate(engine))`, as a handshake variant, or why
 * it is missing. The package is checked at run time so the benchmarks build and run while it
 * is still a placeholder.
 */
export async function loadRxVariant(): Promise<ZapVariant | MissingVariant> {
  let module: Partial<RxModule>
  try {
    module = (await import("@zmq-auth/rx")) as unknown as Partial<RxModule>
  } catch (error) {
    return { name: NAME, reason: `@zmq-auth/rx cannot be loaded: ${error instanceof Error ? error.message : String(error)}` }
  }
  const { zapRequests, authenticate } = module
  if (typeof zapRequests !== "function" || typeof authenticate !== "function") {
    return { name: NAME, reason: "@zmq-auth/rx does not export zapRequests and authenticate yet" }
  }
  return {
    name: NAME,
    hardened: true,
    minimumRatio: 0.9,
    mechanisms: MECHANISMS,
    async start(credentials) {
      const authenticator = new Authenticator()
      await configurePolicy(authenticator, credentials)
      const subscription = await retryWhileBound(async () => {
        let fail: (error: unknown) => void = () => undefined
        const failed = new Promise<never>((_resolve, reject) => { fail = reject })
        failed.catch(() => undefined)
        const candidate = zapRequests().pipe(authenticate(authenticator)).subscribe({ error: (error: unknown) => fail(error) })
        try {
          // Subscribing binds asynchronously and gives no signal: wait until a handshake is decided.
          await Promise.race([waitForZapHandler(credentials.serverKeys), failed])
        } catch (error) {
          candidate.unsubscribe()
          throw error
        }
        return candidate
      })
      return () => {
        subscription.unsubscribe()
        return Promise.resolve()
      }
    },
  }
}
