import { Authenticator, ZapHandler } from "@zmq-auth/core"
import type { RedisCredentialStore } from "@zmq-auth/redis"
import type { HandshakeCredentials, MechanismName } from "../handshake/credentials.js"
import { retryWhileBound } from "../handshake/retry.js"
import type { ZapVariant } from "../handshake/zap-variants.js"

/** A promise-loop handler serving an engine that `configure` sets up (whatever policy the run passes). */
function engineVariant(
  name: string,
  mechanism: MechanismName,
  configure: (engine: Authenticator, credentials: HandshakeCredentials) => void
): ZapVariant {
  return {
    name,
    hardened: true,
    mechanisms: [mechanism],
    async start(credentials) {
      const engine = new Authenticator()
      configure(engine, credentials)
      const handler = new ZapHandler(engine)
      await retryWhileBound(() => handler.start())
      return () => handler.stop()
    },
  }
}

/** The client keys of the run, in memory for every domain (`configureCurveKeys("*", ...)`). */
export const CURVE_IN_MEMORY = engineVariant("CURVE keys in memory", "CURVE", (engine, credentials) => {
  engine.configureCurveKeys(
    "*",
    credentials.clientKeys.map((keys) => keys.publicKey)
  )
})

/** The PLAIN users of the run, in memory for every domain (`configurePlain("*", ...)`). */
export const PLAIN_IN_MEMORY = engineVariant("PLAIN users in memory", "PLAIN", (engine, credentials) => {
  engine.configurePlain("*", credentials.plainUsers)
})

/** `configureStore("*", store)`: the same credentials, decided by the Redis store (cache kept across runs). */
export function storeVariant(mechanism: MechanismName, store: RedisCredentialStore): ZapVariant {
  return engineVariant(`${mechanism} through the Redis store`, mechanism, (engine) => {
    engine.configureStore("*", store)
  })
}
