import { afterAll, beforeAll, describe, it } from "vitest"
import { describeCredentialStore } from "@zmq-auth/core/testing"
import { startRedisServer, type RedisServer } from "../helpers/redis-server.js"
import { nextEvent, openStore } from "../helpers/redis-store.js"

let redis: RedisServer
let namespaces = 0
beforeAll(async () => {
  redis = await startRedisServer()
})
afterAll(async () => {
  await redis.stop()
})

describeCredentialStore(
  "RedisCredentialStore",
  async () => {
    const store = await openStore(redis.url, { namespace: `conformance-${++namespaces}` })
    let frozen = false
    return {
      store,
      async makeUnavailable() {
        const down = nextEvent(store, "store:down")
        redis.signal("SIGSTOP")
        frozen = true
        await down
      },
      async dispose() {
        if (frozen) redis.signal("SIGCONT")
        await store.close()
      },
    }
  },
  { describe, it },
  { settleWithinMs: 3000 }
)
