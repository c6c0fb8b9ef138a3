import { ThreadAuthenticator } from "@zmq-auth/thread"
import { MECHANISMS, type HandshakeCredentials } from "./credentials.js"
import { configurePolicy, type ConfigurePolicy } from "./policy.js"
import { retryWhileBound } from "./retry.js"
import type { ZapVariant } from "./zap-variants.js"

/** Starts a ThreadAuthenticator (retrying while the endpoint is still held) with the policy `configure` sets. */
export async function startThreadAuthenticator(
  credentials: HandshakeCredentials,
  configure: ConfigurePolicy = configurePolicy
): Promise<ThreadAuthenticator> {
  const authenticator = new ThreadAuthenticator()
  await configure(authenticator, credentials)
  await retryWhileBound(() => authenticator.start())
  return authenticator
}

/** The worker-thread adapter of @zmq-auth/thread. */
export const THREAD: ZapVariant = {
  name: "thread (ThreadAuthenticator)",
  hardened: true,
  minimumRatio: 0.9,
  mechanisms: MECHANISMS,
  async start(credentials, configure) {
    const authenticator = await startThreadAuthenticator(credentials, configure)
    return () => authenticator.stop()
  },
}
