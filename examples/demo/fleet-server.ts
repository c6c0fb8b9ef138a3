// One server of the fleet demo, run as a child process by demo/fleet.ts:
//   node fleet-server.js <redis url> <node name>
import { curveKeyPair, Router } from "zeromq"
import { Authenticator, requireZap, ZapHandler } from "@zmq-auth/core"
import { RedisCredentialStore } from "@zmq-auth/redis"
import {
  FLEET_DOMAIN,
  FLEET_NAMESPACE,
  sharedClock,
  type FleetControlMessage,
  type FleetServerMessage,
} from "./fleet-messages.js"
import { curveKeyOf } from "./report.js"

const report = (message: FleetServerMessage) => process.send?.(message)

async function serve(url: string, node: string): Promise<() => Promise<void>> {
  const store = await RedisCredentialStore.connect({ url, node, namespace: FLEET_NAMESPACE })
  if (store.state !== "up") {
    await store.close()
    throw new Error(`${node} cannot reach Redis`)
  }
  store.on("credential:revoked", ({ publicKey }) => {
    if (publicKey !== undefined) report({ type: "revoked", publicKey, at: sharedClock() })
  })
  const authenticator = new Authenticator().configureStore("*", store)
  authenticator.on("decision", (event) => {
    const { statusCode, statusText } = event.reply
    report({ type: "decision", publicKey: curveKeyOf(event), statusCode, statusText, at: sharedClock() })
  })
  const handler = new ZapHandler(authenticator)
  await handler.start()
  const { publicKey, secretKey } = curveKeyPair()
  const router = new Router({ curveServer: true, curveSecretKey: secretKey, linger: 0 })
  requireZap(router, FLEET_DOMAIN)
  await router.bind("tcp://127.0.0.1:*")
  report({ type: "ready", node, endpoint: router.lastEndpoint!, serverKey: publicKey })
  return async () => {
    router.close()
    await handler.stop()
    await store.close()
  }
}

async function main(): Promise<void> {
  const [url, node] = process.argv.slice(2)
  if (url === undefined || node === undefined || process.send === undefined) {
    process.stderr.write("fleet-server: run by the demo (npm run demo -- --fleet)\n")
    process.exit(2)
  }
  let stop: (() => Promise<void>) | undefined
  let stopping = false
  const shutDown = async () => {
    if (stopping) return
    stopping = true
    await stop?.().catch(() => undefined)
    process.exit(0)
  }
  // The demo asks with "stop"; a demo that died closes the channel: either way, leave.
  process.on("message", (message: FleetControlMessage) => void (message.type === "stop" && shutDown()))
  process.on("disconnect", () => void shutDown())
  process.on("SIGTERM", () => void shutDown())
  try {
    stop = await serve(url, node)
  } catch (error) {
    report({ type: "failed", message: error instanceof Error ? error.message : String(error) })
    process.exit(1)
  }
}

await main()
