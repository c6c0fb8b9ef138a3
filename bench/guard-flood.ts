import { Authenticator, FailureGuard, type ZapRequest } from "@zmq-auth/core"

/**
 * What the engine's brute-force guard does under a flood of 10,000 distinct PLAIN user names:
 * from one address, and from 10,000 distinct addresses. Prints the decisions by status text,
 * the counters held, the heap growth, and whether the real user still gets in.
 * Run: `tsc -b && node --expose-gc build/bench/guard-flood.js`.
 */

const FLOOD = 10_000

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
  for (let index = 0; index < FLOOD; index++) await engine.authenticate(plain(addressOf(index), `user-${index}`, "guess", index))
  const elapsedMs = performance.now() - started
  const grown = heapUsed() - before
  const admin = await engine.authenticate(plain("198.51.100.1", "admin", "secret", FLOOD))
  console.log(`${name}${withGuard ? "" : " (no guard)"}: ${elapsedMs.toFixed(0)} ms, decisions ${JSON.stringify(Object.fromEntries(counts))}, counters ${withGuard ? guard.size : "-"}, heap +${(grown / 1024).toFixed(0)} KiB, admin from another address: ${admin.statusCode}`)
}

const oneAddress = (): string => "192.0.2.7"
const distinctAddresses = (index: number): string => `10.${index >> 16}.${(index >> 8) & 255}.${index & 255}`
for (const withGuard of [false, true]) {
  await flood("10,000 user names from one address", oneAddress, withGuard)
  await flood("10,000 user names from 10,000 addresses", distinctAddresses, withGuard)
}
