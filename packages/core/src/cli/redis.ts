import { stat } from "node:fs/promises"
import { parseArgs } from "node:util"
import { loadCertificate, readCertificateDirectory } from "../certs/load.js"
import { normalizeCurveKey, CURVE_KEY_Z85_LENGTH } from "../policy/curve-key.js"
import { messageOf } from "../error-text.js"
import { shieldDashKeys } from "./dash-keys.js"
import { expectPositionals, parseCommandLine, printLine, UsageError, type Command } from "./command.js"
import { readPassword } from "./read-password.js"
import { formatTable } from "./table.js"
import { printable } from "./terminal-text.js"

const DEFAULT_WAIT_MS = 5000

const USAGE = `Usage: zmq-auth redis <action> [arguments] [options]

Administers the credentials a fleet of servers shares through Redis (@zmq-auth/redis).

Actions:
  add-key <domain> <key|file>     accept a CURVE client key (Z85, or a certificate file)
        [--user-id <id>] [--not-after <ISO date>]
  revoke-key <domain> <key|file>  revoke a CURVE client key (a tombstone: wins over "*")
  import <domain> <dir>           add every *.key certificate of a directory
  set-password <domain> <user>    set a PLAIN password, read from standard input or a prompt
  remove-user <domain> <user>     remove a PLAIN user
  list [<domain>]                 list keys, revocations and users
  status                          connected servers, applied generation, lag, Redis role

The domain "*" is the fallback of every domain without an entry of its own.

Options:
  --url <url>         Redis URL (default $ZMQ_AUTH_REDIS_URL or redis://127.0.0.1:6379)
  --namespace <name>  key namespace (default "zmq-auth")
  --wait [ms]         after a change, wait until every connected server applied it
                      (default ${DEFAULT_WAIT_MS} ms) and print the fleet report; exit 1 if some did not
  --json              print one JSON object
  -h, --help          show this text

Passwords are never taken from the command line (it shows in ps and shell history).`

/** A change's receipt, as `@zmq-auth/redis` returns it. */
interface ChangeReceipt {
  generation: number
}

/** Which servers applied a change, as `@zmq-auth/redis` reports it. */
interface FleetReport {
  applied: string[]
  pending: string[]
  elapsedMs: number
}

/** What this command uses of `@zmq-auth/redis`'s `RedisCredentialStore`. */
export interface FleetStoreAdmin {
  readonly state: string
  addCurveKey(domain: string, publicKey: string, options?: { userId?: string; notAfter?: Date }): Promise<ChangeReceipt>
  revokeCurveKey(domain: string, publicKey: string): Promise<ChangeReceipt>
  setPassword(domain: string, username: string, password: string): Promise<ChangeReceipt>
  removeUser(domain: string, username: string): Promise<ChangeReceipt>
  waitForFleet(receipt: ChangeReceipt, options?: { timeoutMs?: number }): Promise<FleetReport>
  listCredentials(
    domain?: string
  ): Promise<Array<Record<string, unknown> & { kind: string; domain: string; state: string }>>
  fleetStatus(): Promise<{
    generation: number
    nodes: Array<{ node: string; generation: number; lag: number }>
    redis: { role: string; replicas: number }
  }>
  close(): Promise<void>
}

interface RedisPackage {
  RedisCredentialStore: { connect(options: Record<string, unknown>): Promise<FleetStoreAdmin> }
}

/**
 * Loads `@zmq-auth/redis`, which core does not depend on: it is installed by those who run a
 * fleet. The specifier is a variable so that TypeScript does not resolve it at build time.
 */
async function loadRedisPackage(): Promise<RedisPackage> {
  const specifier = "@zmq-auth/redis"
  try {
    return (await import(specifier)) as RedisPackage
  } catch (error) {
    if ((error as { code?: unknown }).code === "ERR_MODULE_NOT_FOUND" && messageOf(error).includes(specifier)) {
      throw new Error(`this command needs the package ${specifier}: npm install ${specifier}`, { cause: error })
    }
    throw error
  }
}

/** Splits `--wait` from an optional following duration (`--wait`, `--wait 2000`, `--wait=2000`). */
export function takeWaitOption(args: readonly string[]): { waitMs: number | undefined; rest: string[] } {
  const rest: string[] = []
  let waitMs: number | undefined
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!
    if (arg === "--") {
      rest.push(...args.slice(index))
      break
    }
    if (arg !== "--wait" && !arg.startsWith("--wait=")) {
      rest.push(arg)
      continue
    }
    let value = arg.startsWith("--wait=") ? arg.slice("--wait=".length) : undefined
    if (value === undefined && /^\d+$/.test(args[index + 1] ?? "")) value = args[++index]
    waitMs = value === undefined ? DEFAULT_WAIT_MS : Number(value)
    if (!Number.isSafeInteger(waitMs) || waitMs <= 0)
      throw new UsageError(`--wait needs a positive number of milliseconds, got ${JSON.stringify(value)}`)
  }
  return { waitMs, rest }
}

/**
 * A Z85 key as given, or the public key of the certificate file of that name. Z85 has "." and
 * "/", so a 40-character argument is a key unless a file of that name exists.
 */
async function resolveCurveKey(keyOrFile: string): Promise<string> {
  if (keyOrFile.length === CURVE_KEY_Z85_LENGTH && !(await isFile(keyOrFile))) {
    try {
      return normalizeCurveKey(keyOrFile, "<key>")
    } catch {
      // Not a key: it may be a file name of 40 characters.
    }
  }
  return (await loadCertificate(keyOrFile)).publicKey
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (status) => status.isFile(),
    () => false
  )
}

function parseNotAfter(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined
  const date = new Date(text)
  if (Number.isNaN(date.getTime()))
    throw new UsageError(`--not-after needs an ISO 8601 date, got ${JSON.stringify(text)}`)
  return date
}

function fleetLine(report: FleetReport): string {
  const total = report.applied.length + report.pending.length
  const line = `applied on ${report.applied.length}/${total} in ${Math.round(report.elapsedMs)} ms`
  return report.pending.length === 0 ? line : `${line}; pending: ${report.pending.map(printable).join(", ")}`
}

/** A Redis URL without its password, for messages. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password !== "") parsed.password = "***"
    return parsed.toString()
  } catch {
    return "(an unparsable URL)"
  }
}

async function list(store: FleetStoreAdmin, args: string[], json: boolean): Promise<number> {
  if (args.length > 1) throw new UsageError(`unexpected argument ${JSON.stringify(args[1])}`)
  const listings = await store.listCredentials(args[0])
  if (json) {
    printLine(JSON.stringify({ credentials: listings }))
    return 0
  }
  const rows = listings.map((listing) => [
    listing.domain,
    listing.kind === "curve" ? "CURVE" : "PLAIN",
    String(listing["publicKey"] ?? listing["username"]),
    listing.state,
    String(listing["userId"] ?? ""),
    listing["notAfter"] instanceof Date ? listing["notAfter"].toISOString() : "",
  ])
  printLine(formatTable([["domain", "mechanism", "key or user", "state", "user id", "not after"], ...rows]))
  return 0
}

async function status(store: FleetStoreAdmin, args: string[], json: boolean): Promise<number> {
  expectPositionals(args, [])
  const fleet = await store.fleetStatus()
  if (json) {
    printLine(JSON.stringify(fleet))
    return 0
  }
  printLine(
    `generation ${fleet.generation}; Redis role ${fleet.redis.role}, ${fleet.redis.replicas} connected replicas`
  )
  printLine(
    formatTable([
      ["node", "applied generation", "lag"],
      ...fleet.nodes.map((node) => [node.node, String(node.generation), String(node.lag)]),
    ])
  )
  return 0
}

interface Change {
  describe: string
  receipts: ChangeReceipt[]
}

async function applyChange(
  store: FleetStoreAdmin,
  action: string,
  positionals: string[],
  values: Record<string, unknown>
): Promise<Change> {
  switch (action) {
    case "add-key": {
      const [domain, keyOrFile] = expectPositionals(positionals, ["domain", "key|file"]) as [string, string]
      const publicKey = await resolveCurveKey(keyOrFile)
      const options: { userId?: string; notAfter?: Date } = {}
      if (typeof values["user-id"] === "string") options.userId = values["user-id"]
      const notAfter = parseNotAfter(values["not-after"] as string | undefined)
      if (notAfter !== undefined) options.notAfter = notAfter
      return {
        describe: `added key ${publicKey} to domain ${JSON.stringify(domain)}`,
        receipts: [await store.addCurveKey(domain, publicKey, options)],
      }
    }
    case "revoke-key": {
      const [domain, keyOrFile] = expectPositionals(positionals, ["domain", "key|file"]) as [string, string]
      const publicKey = await resolveCurveKey(keyOrFile)
      return {
        describe: `revoked key ${publicKey} in domain ${JSON.stringify(domain)}`,
        receipts: [await store.revokeCurveKey(domain, publicKey)],
      }
    }
    case "import": {
      const [domain, directory] = expectPositionals(positionals, ["domain", "dir"]) as [string, string]
      const { certificates, errors } = await readCertificateDirectory(directory)
      for (const error of errors) process.stderr.write(`zmq-auth redis: skipped ${printable(error.message)}\n`)
      const receipts: ChangeReceipt[] = []
      for (const publicKey of certificates.keys()) receipts.push(await store.addCurveKey(domain, publicKey))
      return { describe: `imported ${receipts.length} keys into domain ${JSON.stringify(domain)}`, receipts }
    }
    case "set-password": {
      const [domain, username] = expectPositionals(positionals, ["domain", "user"]) as [string, string]
      const password = await readPassword(`password for ${username}: `)
      return {
        describe: `set the password of ${JSON.stringify(username)} in domain ${JSON.stringify(domain)}`,
        receipts: [await store.setPassword(domain, username, password)],
      }
    }
    case "remove-user": {
      const [domain, username] = expectPositionals(positionals, ["domain", "user"]) as [string, string]
      return {
        describe: `removed user ${JSON.stringify(username)} from domain ${JSON.stringify(domain)}`,
        receipts: [await store.removeUser(domain, username)],
      }
    }
    default:
      throw new UsageError(`unknown action ${JSON.stringify(action)}`)
  }
}

const OPTIONS = {
  url: { type: "string" },
  namespace: { type: "string" },
  json: { type: "boolean", default: false },
  "user-id": { type: "string" },
  "not-after": { type: "string" },
} as const

/** `zmq-auth redis`: administers `@zmq-auth/redis` credentials. */
export const redisCommand: Command = {
  name: "redis",
  summary: "add and revoke fleet credentials in Redis (needs @zmq-auth/redis)",
  usage: USAGE,
  async run(args) {
    const shielded = shieldDashKeys(args, [...Object.keys(OPTIONS), "wait"])
    const { waitMs, rest } = takeWaitOption(shielded.args)
    const parsed = parseCommandLine(() =>
      parseArgs({ args: rest, options: OPTIONS, strict: true, allowPositionals: true })
    )
    const positionals = parsed.positionals.map(shielded.restore)
    const values = { ...parsed.values }
    for (const name of ["url", "namespace", "user-id", "not-after"] as const) {
      const value = values[name]
      if (value !== undefined) values[name] = shielded.restore(value)
    }
    const [action, ...actionArgs] = positionals
    if (action === undefined) throw new UsageError("missing <action>")
    const { RedisCredentialStore } = await loadRedisPackage()
    const url = values.url ?? process.env["ZMQ_AUTH_REDIS_URL"] ?? "redis://127.0.0.1:6379"
    // An administrator is not a node of the fleet: it reports no acknowledgements.
    const options: Record<string, unknown> = { url, node: false }
    if (values.namespace !== undefined) options["namespace"] = values.namespace
    const store = await RedisCredentialStore.connect(options)
    try {
      if (store.state === "down") throw new Error(`cannot reach Redis at ${printable(redactUrl(url))}`)
      if (action === "list") return await list(store, actionArgs, values.json)
      if (action === "status") return await status(store, actionArgs, values.json)
      const change = await applyChange(store, action, actionArgs, values)
      const last = change.receipts.at(-1)
      const report =
        waitMs === undefined || last === undefined ? undefined : await store.waitForFleet(last, { timeoutMs: waitMs })
      if (values.json) {
        printLine(
          JSON.stringify({
            action,
            generation: last?.generation ?? null,
            changes: change.receipts.length,
            ...(report === undefined ? {} : { fleet: report }),
          })
        )
      } else {
        printLine(`${change.describe} (generation ${last?.generation ?? "unchanged"})`)
        if (report !== undefined) printLine(fleetLine(report))
      }
      return report !== undefined && report.pending.length > 0 ? 1 : 0
    } finally {
      await store.close()
    }
  },
}
