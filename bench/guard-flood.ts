import { Dealer } from "zeromq"
import { Authenticator, FailureGuard, ZapHandler, ZAP_ENDPOINT, type ZapRequest } from "@zmq-auth/core"

/**
 * What the engine's brute-force guard does under a flood of 10,000 distinct PLAIN user names:
 * from one address, and from 10,000 distinct addresses, decided by the engine directly and as
 * ZAP traffic through `ZapHandler`. Prints the decisions by status text, the counters held, the
 * heap growth, and whether the real user still gets in.
 * Run: `tsc -b && node --expose-gc build/bench/guard-flood.js [requests, default 10000]`.
 */

const FLOOD = Number(process.argv[2] ?? 10_000)

function plain(address: string, username: string, password: string, index: number): ZapRequest {
  return {
    version: "1.0",
    requestId: Buffer.from(String(index)),
    domain: "",
    address,
    identity: Buffer.alloc(0),
    mechanism: "PLAIN",
    credentials: [Buffer.from(username), Buffer.from(password)],
  }
}

function heapUsed(): number {
  ;(globalThis as { gc?: () => void }).gc?.()
  return process.memoryUsage().heapUsed
}

async function flood(name: string, addressOf: (index: number) => string, withGuard: boolean): Promise<void> {
  const guard = new FailureGuard({ maxFailures: 5, windowMs: 60_000 })
  const engine = new Authenticator(withGuard ? { guard } : {}).configurePlain("*", { admin: "secret" })
  const counts = new Map<string, number>()
  engine.on("decision", ({ reply }) => counts.set(reply.statusText, (counts.get(reply.statusText) ?? 0) + 1))
  const before = heapUsed()
  const started = performance.now()
  for (let index = 0; index < FLOOD; index++)
    await engine.authenticate(plain(addressOf(index), `user-${index}`, "guess", index))
  const elapsedMs = performance.now() - started
  const grown = heapUsed() - before
  const admin = await engine.authenticate(plain("198.51.100.1", "admin", "secret", FLOOD))
  console.log(
    `${name}${withGuard ? "" : " (no guard)"}: ${elapsedMs.toFixed(0)} ms, ` +
      `decisions ${JSON.stringify(Object.fromEntries(counts))}, counters ${withGuard ? guard.size : "-"}, ` +
      `heap +${(grown / 1024).toFixed(0)} KiB, admin from another address: ${admin.statusCode}`
  )
}

const LABEL = FLOOD.toLocaleString("en-US")
const oneAddress = (): string => "192.0.2.7"
const distinctAddresses = (index: number): string => `10.${index >> 16}.${(index >> 8) & 255}.${index & 255}`
for (const withGuard of [false, true]) {
  await flood(`${LABEL} user names from one address`, oneAddress, withGuard)
  await flood(`${LABEL} user names from ${LABEL} addresses`, distinctAddresses, withGuard)
}

/** The same flood as ZAP requests on the endpoint, 256 in flight at a time. */
async function floodOverZap(name: string, addressOf: (index: number) => string): Promise<void> {
  const guard = new FailureGuard({ maxFailures: 5, windowMs: 60_000 })
  const engine = new Authenticator({ guard }).configurePlain("*", { admin: "secret" })
  const counts = new Map<string, number>()
  engine.on("decision", ({ reply }) => counts.set(reply.statusText, (counts.get(reply.statusText) ?? 0) + 1))
  const handler = new ZapHandler(engine)
  await handler.start()
  const dealer = new Dealer({ linger: 0 })
  dealer.connect(ZAP_ENDPOINT)
  try {
    const before = heapUsed()
    const started = performance.now()
    for (let first = 0; first < FLOOD; first += 256) {
      const last = Math.min(first + 256, FLOOD)
      for (let index = first; index < last; index++) {
        await dealer.send(["", "1.0", String(index), "", addressOf(index), "", "PLAIN", `user-${index}`, "guess"])
      }
      for (let index = first; index < last; index++) await dealer.receive()
    }
    const elapsedMs = performance.now() - started
    console.log(
      `${name} over ZAP: ${elapsedMs.toFixed(0)} ms (${(FLOOD / (elapsedMs / 1000)).toFixed(0)} requests/s), ` +
        `decisions ${JSON.stringify(Object.fromEntries(counts))}, counters ${guard.size}, ` +
        `heap +${((heapUsed() - before) / 1024).toFixed(0)} KiB`
    )
  } finally {
    dealer.close()
    await handler.stop()
  }
}

await floodOverZap(`${LABEL} user names from one address`, oneAddress)
await floodOverZap(`${LABEL} user names from ${LABEL} addresses`, distinctAddresses)
