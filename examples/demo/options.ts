import { parseArgs } from "node:util"

/** The ways the demo can serve the policy engine. */
export type AdapterName = "loop" | "thread" | "rx"

const ADAPTERS: readonly AdapterName[] = ["loop", "thread", "rx"]

/** What the demo runs, from its command line. */
export interface DemoOptions {
  /** How the engine is served: promise loop, worker thread or RxJS stream. Default "loop". */
  adapter: AdapterName
  /** Subscribers with the right server key and a listed key. Default 5. */
  clients: number
  /** Subscribers with a wrong server key: their handshake fails before ZAP. Default 2. */
  badClients: number
  /** Subscribers with the right server key and an unlisted key: denied by ZAP. Default 2. */
  unknownClients: number
  /** Messages every good subscriber receives after all of them are receiving. Default 10. */
  messages: number
  /** `--fleet`: the Redis fleet demo instead (three server processes, a client revoked with the CLI). */
  fleet: boolean
  /** `--redis-url`: the Redis of the fleet demo; default: a local `redis-server` started for the run. */
  redisUrl: string | undefined
  /** `--help` was given. */
  help: boolean
}

/** A command line the demo cannot run: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError"
}

/** The demo's `--help` text. */
export const DEMO_USAGE = `Usage: npm run demo -- [options]

A CURVE publisher hardened with requireZap, its ZAP handler fed by a certificate directory,
and three kinds of subscribers: good ones, ones with a wrong server key, ones with unknown keys.

Options:
  --adapter loop|thread|rx   how the policy engine is served (default loop)
  --clients N                good subscribers (default 5)
  --bad-clients N            subscribers with a wrong server key (default 2)
  --unknown-clients N        subscribers whose key is not in the directory (default 2)
  --messages N               messages published once every good subscriber is receiving (default 10)
  --fleet                    the fleet demo instead: a local redis-server (if installed), three server
                             processes sharing it, a client added then revoked with "zmq-auth redis";
                             prints per node whether and how fast the revoked client was refused
  --redis-url <url>          with --fleet: use this Redis instead of starting one
  -h, --help                 show this text`

/** Parses the demo's arguments. Throws {@link UsageError} on anything it does not understand. */
export function parseDemoOptions(args: readonly string[]): DemoOptions {
  let values
  try {
    ;({ values } = parseArgs({
      args: [...args],
      options: {
        adapter: { type: "string", default: "loop" },
        clients: { type: "string", default: "5" },
        "bad-clients": { type: "string", default: "2" },
        "unknown-clients": { type: "string", default: "2" },
        messages: { type: "string", default: "10" },
        fleet: { type: "boolean", default: false },
        "redis-url": { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    }))
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  const adapter = values.adapter as AdapterName
  if (!ADAPTERS.includes(adapter))
    throw new UsageError(`--adapter must be one of ${ADAPTERS.join(", ")}, got ${JSON.stringify(values.adapter)}`)
  if (values["redis-url"] !== undefined && !values.fleet) throw new UsageError("--redis-url needs --fleet")
  return {
    adapter,
    clients: count("--clients", values.clients, 1),
    badClients: count("--bad-clients", values["bad-clients"], 0),
    unknownClients: count("--unknown-clients", values["unknown-clients"], 0),
    messages: count("--messages", values.messages, 1),
    fleet: values.fleet,
    redisUrl: values["redis-url"],
    help: values.help,
  }
}

const MAXIMUM_COUNT = 1000

function count(option: string, text: string, minimum: number): number {
  const value = Number(text)
  if (!/^\d+$/.test(text) || value < minimum || value > MAXIMUM_COUNT) {
    throw new UsageError(
      `${option} must be a whole number from ${minimum} to ${MAXIMUM_COUNT}, got ${JSON.stringify(text)}`
    )
  }
  return value
}
