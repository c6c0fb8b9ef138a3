/**
 * Entry point of one server process of the revocation benchmark: argv[2] is the Redis URL,
 * argv[3] the node name. Watches the keys the parent sends (over IPC), in the parent's
 * {@link WatchMode}: checks each in a tight loop (setImmediate between checks) until it stops
 * being allowed, or stays idle until `credential:revoked` fires for it and checks it once;
 * reports when a check refused the key and when the event fired.
 */
import { RedisCredentialStore } from "@zmq-auth/redis"
import {
  epochNow,
  REFUSAL_WAIT_MS,
  WATCHED_DOMAIN,
  type FromNode,
  type ToNode,
  type WatchMode,
} from "./revocation-messages.js"
import { verdictStatus } from "./verdict-status.js"

const [url, node] = process.argv.slice(2)
const store = await RedisCredentialStore.connect({ url: url!, node: node! })
const revokedAt = new Map<string, number>()
const waiters = new Map<string, () => void>()
store.on("credential:revoked", ({ publicKey }) => {
  if (publicKey === undefined || revokedAt.has(publicKey)) return
  revokedAt.set(publicKey, epochNow())
  waiters.get(publicKey)?.()
})

function send(message: FromNode): void {
  process.send!(message)
}

async function allowed(publicKey: string): Promise<boolean> {
  return verdictStatus(await store.checkCurveKey(WATCHED_DOMAIN, publicKey)) === 200
}

/** Checks `publicKey` until a check refuses it; resolves with that moment. */
function pollUntilRefused(publicKey: string): Promise<number | undefined> {
  const deadline = performance.now() + REFUSAL_WAIT_MS
  return new Promise((resolve) => {
    const poll = (): void => {
      allowed(publicKey).then(
        (yes) => {
          if (!yes) resolve(epochNow())
          else if (performance.now() > deadline) resolve(undefined)
          else setImmediate(poll)
        },
        () => resolve(undefined)
      )
    }
    poll()
  })
}

function revokedEvent(publicKey: string): Promise<number | undefined> {
  const known = revokedAt.get(publicKey)
  if (known !== undefined) return Promise.resolve(known)
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), REFUSAL_WAIT_MS)
    waiters.set(publicKey, () => {
      clearTimeout(timer)
      resolve(revokedAt.get(publicKey))
    })
  })
}

/** Waits for `event`, then checks the key once: when that check refuses it. */
async function refusedAfterEvent(publicKey: string, event: Promise<number | undefined>): Promise<number | undefined> {
  if ((await event) === undefined) return undefined
  return (await allowed(publicKey)) ? undefined : epochNow()
}

async function watch(publicKey: string, mode: WatchMode): Promise<void> {
  while (!(await allowed(publicKey))) await new Promise((resolve) => setTimeout(resolve, 5))
  const event = revokedEvent(publicKey)
  const refusal = mode === "poll" ? pollUntilRefused(publicKey) : refusedAfterEvent(publicKey, event)
  send({ type: "armed", publicKey })
  const [refusedAt, revokedEventAt] = await Promise.all([refusal, event])
  waiters.delete(publicKey)
  revokedAt.delete(publicKey)
  send({
    type: "refused",
    publicKey,
    ...(refusedAt === undefined ? {} : { refusedAt }),
    ...(revokedEventAt === undefined ? {} : { revokedEventAt }),
  })
}

process.on("message", (message: ToNode) => {
  if (message.type === "watch") void watch(message.publicKey, message.mode)
  else void store.close().finally(() => process.exit(0))
})
process.on("disconnect", () => void store.close().finally(() => process.exit(0)))
send({ type: "ready" })
