import { join } from "node:path"
import { curveKeyPair } from "zeromq"
import type { KeyPair } from "./certificates.js"
import { withDeadline } from "./deadline.js"
import { changeWithCli, type CliChange } from "./fleet-cli.js"
import { connectOnce } from "./fleet-client.js"
import { FLEET_DOMAIN } from "./fleet-messages.js"
import { FleetServerProcess } from "./fleet-server-process.js"
import { behaved, formatFleetSummary, type NodeResult } from "./fleet-summary.js"
import { startLocalRedis, type LocalRedis } from "./local-redis.js"
import type { HandshakeOutcome } from "./subscriber.js"

const NODES = ["node-1", "node-2", "node-3"]

/** The demo got SIGINT or SIGTERM: its servers and Redis are stopped, it exits with 130 or 143. */
export class FleetInterruptedError extends Error {
  override readonly name = "FleetInterruptedError"
  readonly signal: NodeJS.Signals
  constructor(signal: NodeJS.Signals) {
    super(`interrupted by ${signal}: servers and Redis stopped`)
    this.signal = signal
  }
}
const EVENT_DEADLINE_MS = 2000

/** A Redis URL without its password, for printing. */
function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password !== "") parsed.password = "***"
    return parsed.toString()
  } catch {
    return "(the given URL)"
  }
}

function outcomeLine(server: FleetServerProcess, outcome: HandshakeOutcome): string {
  const text =
    outcome.kind === "connected"
      ? "connected"
      : outcome.kind === "denied"
        ? `refused (ZAP ${outcome.statusCode})`
        : `failed: ${outcome.reason}`
  return `  client -> ${server.node} (${server.endpoint}): ${text}`
}

async function connectToAll(
  servers: readonly FleetServerProcess[],
  client: KeyPair,
  print: (text: string) => void
): Promise<HandshakeOutcome[]> {
  const outcomes = await Promise.all(servers.map((server) => connectOnce(server.endpoint, server.serverKey, client)))
  servers.forEach((server, index) => print(outcomeLine(server, outcomes[index]!)))
  return outcomes
}

function printChange(change: CliChange, print: (text: string) => void): void {
  print(`$ ${change.command}`)
  print(change.output)
}

/**
 * The fleet demo: a Redis (started here unless `redisUrl` is given), three server processes
 * sharing it, and one client that the CLI adds, then revokes. Resolves with the exit code: 0
 * when every node let the client in before the revocation and refused it after. When `signal`
 * aborts (with the signal's name), every child process gets SIGTERM, the servers and Redis are
 * awaited, and it rejects with {@link FleetInterruptedError}.
 */
export async function runFleet(
  redisUrl: string | undefined,
  workspace: string,
  print: (text: string) => void,
  signal: AbortSignal
): Promise<number> {
  const started: Started = { redis: undefined, servers: [] }
  const interrupted = new Promise<never>((_, reject) => {
    signal.addEventListener("abort", () => reject(new FleetInterruptedError(signal.reason as NodeJS.Signals)), {
      once: true,
    })
  })
  interrupted.catch(() => undefined)
  try {
    return await Promise.race([demonstrate(redisUrl, workspace, print, signal, started), interrupted])
  } finally {
    await Promise.all(started.servers.map((server) => server.stop()))
    await started.redis?.stop()
    print(`Stopped ${started.servers.length} servers${started.redis === undefined ? "" : " and redis-server"}.`)
  }
}

/** The processes the demo started so far: stopped whatever happens. */
interface Started {
  redis: LocalRedis | undefined
  servers: FleetServerProcess[]
}

async function demonstrate(
  redisUrl: string | undefined,
  workspace: string,
  print: (text: string) => void,
  signal: AbortSignal,
  started: Started
): Promise<number> {
  const { servers } = started
  if (redisUrl === undefined) {
    const redis = (started.redis = await startLocalRedis(join(workspace, "redis"), signal))
    print(`redis-server pid ${redis.pid} listening at ${redis.url} (no persistence)`)
  }
  const url = redisUrl ?? started.redis!.url
  const shownUrl = withoutPassword(url)
  const starts = await Promise.allSettled(NODES.map((node) => FleetServerProcess.start(node, url, signal)))
  for (const start of starts) if (start.status === "fulfilled") servers.push(start.value)
  const failure = starts.find((start) => start.status === "rejected")
  if (failure !== undefined) throw failure.reason
  for (const server of servers) {
    const setup = `CURVE ROUTER, requireZap "${FLEET_DOMAIN}", keys from the Redis store`
    print(`${server.node} pid ${server.pid} serving ${server.endpoint}: ${setup}`)
  }

  const client = curveKeyPair()
  print("")
  print("Adding the client's key with the CLI:")
  printChange(await changeWithCli("add-key", client.publicKey, url, shownUrl, signal), print)
  const before = await connectToAll(servers, client, print)

  print("")
  print("Revoking it with the CLI:")
  const heard = servers.map((server) => server.revocationHeard(client.publicKey).catch(() => undefined))
  const revoke = await changeWithCli("revoke-key", client.publicKey, url, shownUrl, signal)
  printChange(revoke, print)
  print("The same client makes a new connection to each node:")
  const after = await connectToAll(servers, client, print)

  const results: NodeResult[] = await Promise.all(
    servers.map(async (server, index): Promise<NodeResult> => {
      const refusal =
        after[index]!.kind === "denied"
          ? await withDeadline(server.decision(client.publicKey, 1), EVENT_DEADLINE_MS, `${server.node}'s ZAP decision`)
          : undefined
      const heardAt = await withDeadline(heard[index]!, EVENT_DEADLINE_MS, "credential:revoked").catch(() => undefined)
      return {
        node: server.node,
        before: before[index]!,
        after: after[index]!,
        replyAfter: refusal === undefined ? "-" : `${refusal.statusCode} ${refusal.statusText}`,
        heardMs: heardAt === undefined ? undefined : heardAt - revoke.returnedAt,
        refusedMs: refusal === undefined ? undefined : refusal.at - revoke.returnedAt,
      }
    })
  )
  print("")
  print(formatFleetSummary(results))
  const { applied, pending, elapsedMs } = revoke.fleet
  const nodes = `${applied.length}/${applied.length + pending.length}`
  print(
    "The CLI's own measure, from its change to the last node's acknowledgement: " +
      `applied on ${nodes} in ${elapsedMs.toFixed(1)} ms`
  )
  return results.every(behaved) ? 0 : 1
}
