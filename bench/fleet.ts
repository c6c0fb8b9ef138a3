import { RedisCredentialStore } from "@zmq-auth/redis"
import {
  BENCH_DOMAIN,
  createCredentials,
  type HandshakeCredentials,
  type MechanismName,
} from "./handshake/credentials.js"
import type { ZapVariant } from "./handshake/zap-variants.js"
import { interleavedRates } from "./handshake/interleaved-rates.js"
import { measureOutage, type OutageMeasurement } from "./fleet/outage-decisions.js"
import { redisServerInstalled, startBenchRedis, type BenchRedis } from "./fleet/redis-server.js"
import { measureRevocations, type RevocationRound } from "./fleet/revocation-latency.js"
import type { WatchMode } from "./fleet/revocation-messages.js"
import { verdictStatus } from "./fleet/verdict-status.js"
import { CURVE_IN_MEMORY, PLAIN_IN_MEMORY, storeVariant } from "./fleet/store-variants.js"
import { formatNumber, ratioRow, type BenchmarkReport, type ResultRow } from "./report/table.js"
import type { BenchSettings } from "./settings.js"
import { percentile } from "./statistics.js"

const TITLE = "8. Fleet (Redis store)"
const MINIMUM_RATIO = 0.9
const REVOCATION_TARGET_MS = 100
/** Cheap enough to set 32 passwords quickly; a warm check costs an HMAC whatever the cost. */
const SCRYPT_COST = { logN: 14, r: 8, p: 1 }
/** Heap growth over the outage run under which memory counts as not growing. */
const HEAP_GROWTH_LIMIT_BYTES = 1024 * 1024

async function handshakeRatio(
  settings: BenchSettings,
  credentials: HandshakeCredentials,
  mechanism: MechanismName,
  inMemory: ZapVariant,
  throughStore: ZapVariant
): Promise<ResultRow> {
  const rate = await interleavedRates([inMemory, throughStore], mechanism, credentials, settings)
  const subject =
    mechanism === "CURVE" ? "CURVE, Redis store, warm cache" : "PLAIN, hashed passwords in Redis, repeat clients"
  return ratioRow(
    subject,
    { value: rate(throughStore), unit: "handshakes/s" },
    { name: inMemory.name, value: rate(inMemory) },
    MINIMUM_RATIO
  )
}

/** Puts the run's keys and users in Redis and has `store` verify each once (cache and verified attempts warm). */
async function provision(store: RedisCredentialStore, credentials: HandshakeCredentials): Promise<void> {
  await Promise.all(credentials.clientKeys.map((keys) => store.addCurveKey("*", keys.publicKey)))
  await Promise.all(
    Object.entries(credentials.plainUsers).map(([username, password]) => store.setPassword("*", username, password))
  )
  for (const keys of credentials.clientKeys) {
    const status = verdictStatus(await store.checkCurveKey(BENCH_DOMAIN, keys.publicKey))
    if (status !== 200) throw new Error(`the store answered ${status} for a provisioned key`)
  }
  for (const [username, password] of Object.entries(credentials.plainUsers)) {
    const status = verdictStatus(await store.checkPlain(BENCH_DOMAIN, username, Buffer.from(password)))
    if (status !== 200) throw new Error(`the store answered ${status} for a provisioned user`)
  }
}

function revocationRows(rounds: readonly RevocationRound[], nodeCount: number): ResultRow[] {
  const row = (subject: string, latencies: number[]): ResultRow => {
    const p99 = percentile(latencies, 99)
    return {
      subject,
      measured:
        `p50 ${formatNumber(percentile(latencies, 50))} ms, ` +
        `p99 ${formatNumber(p99)} ms (${latencies.length} keys)`,
      baseline: "-",
      target: `p99 < ${REVOCATION_TARGET_MS} ms`,
      met: p99 < REVOCATION_TARGET_MS,
    }
  }
  const subjects: Record<WatchMode, string> = {
    poll: `revocation to the last of ${nodeCount} servers refusing, each checking the key in a loop`,
    event: `revocation to the last of ${nodeCount} idle servers refusing (credential:revoked, then one check)`,
  }
  return (["poll", "event"] as const).map((mode) => {
    const ofMode = rounds.filter((round) => round.mode === mode)
    const result = row(
      subjects[mode],
      ofMode.map((round) => round.lastRefusalMs)
    )
    result.measured += `; credential:revoked p99 ${formatNumber(
      percentile(
        ofMode.map((round) => round.lastEventMs),
        99
      )
    )} ms`
    if (ofMode.some((round) => round.missing > 0)) {
      result.met = false
      result.measured += `; ${ofMode.reduce((sum, round) => sum + round.missing, 0)} reports missing`
    }
    return result
  })
}

function outageRows(outage: OutageMeasurement, count: number): ResultRow[] {
  const { up, down } = outage
  const only300 = down.statuses.get(300) ?? 0
  const decisions = ratioRow(
    "Redis frozen: CURVE decisions through the engine",
    { value: down.perSecond, unit: "decisions/s" },
    { name: "Redis up, warm cache", value: up.perSecond }
  )
  decisions.measured += `, ${only300} of ${count} answered 300`
  decisions.target = "all 300"
  decisions.met = only300 === count
  const growth = outage.heapAfterBytes - outage.heapBeforeBytes
  return [
    decisions,
    {
      subject: `Redis frozen: heap across ${count} decisions${outage.collected ? " (after gc)" : " (no gc available)"}`,
      measured: `${growth >= 0 ? "+" : ""}${formatNumber(growth / 1024)} KiB`,
      baseline: `before: ${formatNumber(outage.heapBeforeBytes / 2 ** 20)} MiB`,
      target: `< ${HEAP_GROWTH_LIMIT_BYTES / 1024} KiB growth`,
      met: growth < HEAP_GROWTH_LIMIT_BYTES,
    },
    {
      subject: "Redis frozen: store calls outstanding",
      measured:
        `at most ${down.maxInFlight} at once, ${down.inFlightAfter} after the run, ` +
        `${down.saturated} "Too many pending checks"`,
      baseline: "maxPendingChecks 64",
      target: "bounded, 0 left, never saturated",
      met: down.maxInFlight <= 64 && down.inFlightAfter === 0 && down.saturated === 0,
    },
  ]
}

async function measureFleet(settings: BenchSettings, redis: BenchRedis): Promise<ResultRow[]> {
  const credentials = await createCredentials()
  const store = await RedisCredentialStore.connect({
    url: redis.url,
    node: "bench-handshakes",
    scryptCost: SCRYPT_COST,
  })
  try {
    if (store.state !== "up") throw new Error(`the store could not reach redis-server (${store.state})`)
    await provision(store, credentials)
    const rows = [
      await handshakeRatio(settings, credentials, "CURVE", CURVE_IN_MEMORY, storeVariant("CURVE", store)),
      await handshakeRatio(settings, credentials, "PLAIN", PLAIN_IN_MEMORY, storeVariant("PLAIN", store)),
    ]
    const nodeCount = settings.quick ? 4 : 16
    rows.push(...revocationRows(await measureRevocations(redis.url, nodeCount, settings.quick ? 4 : 30), nodeCount))
    const count = settings.decisionsPerRun
    rows.push(
      ...outageRows(
        await measureOutage(
          redis,
          store,
          credentials.clientKeys.map((keys) => keys.publicKey),
          count
        ),
        count
      )
    )
    return rows
  } finally {
    await store.close()
    await credentials.dispose()
  }
}

/**
 * Benchmark 8, a fleet sharing credentials through Redis: handshakes through the store with a
 * warm cache against the same credentials in memory (CURVE, and PLAIN with hashed passwords),
 * revocation latency to the last of a fleet of server processes, and decisions while Redis is frozen.
 */
export async function benchmarkFleet(settings: BenchSettings): Promise<BenchmarkReport> {
  const nodeCount = settings.quick ? 4 : 16
  const workload =
    "Local redis-server (loopback). Handshakes: the workload of benchmark 1 " +
    `(${settings.handshakesPerRun} per run, ${settings.handshakeConcurrency} clients at once, 32 keys / users) ` +
    'through the promise loop with configureStore("*", RedisCredentialStore) ' +
    "against configureCurveKeys / configurePlain in memory, " +
    `interleaved, median of ${settings.rounds}; ` +
    "the store's cache and verified attempts are warm (passwords: scrypt N=2^14 r=8 p=1). " +
    `Revocation: ${nodeCount} node processes, each a store with its own node name; ` +
    "per fresh key (alternating) either every node checks it in a loop " +
    `(setImmediate between checks: ${nodeCount} busy processes) ` +
    "or every node stays idle until its credential:revoked, then checks it once; " +
    `timed from the revokeCurveKey reply in the admin process to the last node refusing (epoch timestamps). ` +
    `Outage: ${settings.decisionsPerRun} CURVE decisions (32 at once) through Authenticator.authenticate ` +
    "after redis-server got SIGSTOP and the store (heartbeat 250 ms) reported store:down."
  if (!redisServerInstalled()) {
    return {
      title: TITLE,
      workload,
      rows: [
        {
          subject: "skipped",
          measured: "redis-server is not installed (apt-get install redis-server)",
          baseline: "-",
          target: "-",
        },
      ],
      notes: [],
    }
  }
  const redis = await startBenchRedis()
  try {
    return {
      title: TITLE,
      workload,
      rows: await measureFleet(settings, redis),
      notes: ["p99 of the revocation rows is over few keys: close to the maximum."],
    }
  } finally {
    await redis.stop()
  }
}
