import { rmSync } from "node:fs"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DEMO_USAGE, parseDemoOptions, UsageError, type DemoOptions } from "./demo/options.js"
import { FleetInterruptedError, runFleet } from "./demo/fleet.js"
import { RedisNotInstalledError } from "./demo/local-redis.js"
import { runScenario } from "./demo/scenario.js"
import { AdapterUnavailableError } from "./demo/serve-engine.js"

const print = (text: string) => process.stdout.write(text + "\n")
const exitCodeOf = (signal: NodeJS.Signals) => (signal === "SIGINT" ? 130 : 143)
const interruption = new AbortController()

async function main(): Promise<number> {
  let options: DemoOptions
  try {
    options = parseDemoOptions(process.argv.slice(2))
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    process.stderr.write(`demo: ${error.message}\n\n${DEMO_USAGE}\n`)
    return 2
  }
  if (options.help) {
    print(DEMO_USAGE)
    return 0
  }
  const workspace = await mkdtemp(join(tmpdir(), "zmq-auth-demo-"))
  const removeOnSignal = (signal: NodeJS.Signals) => {
    // The fleet demo stops its processes and Redis first, then exits.
    if (options.fleet) return interruption.abort(signal)
    rmSync(workspace, { recursive: true, force: true })
    process.exit(exitCodeOf(signal))
  }
  process.once("SIGINT", removeOnSignal)
  process.once("SIGTERM", removeOnSignal)
  try {
    if (options.fleet) {
      print("zmq-auth fleet demo: three servers share their CURVE keys through Redis; a client is revoked with the CLI")
      return await runFleet(options.redisUrl, workspace, print, interruption.signal)
    }
    const counts = `${options.clients} good, ${options.badClients} bad (wrong server key)`
    print(`zmq-auth demo: ${counts}, ${options.unknownClients} unknown subscribers`)
    return await runScenario(options, workspace, print)
  } catch (error) {
    if (error instanceof FleetInterruptedError) {
      process.stderr.write(`demo: ${error.message}\n`)
      return exitCodeOf(error.signal)
    }
    if (error instanceof AdapterUnavailableError || error instanceof RedisNotInstalledError) {
      process.stderr.write(`demo: ${error.message}\n`)
      return 2
    }
    process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`)
    return 1
  } finally {
    process.off("SIGINT", removeOnSignal)
    process.off("SIGTERM", removeOnSignal)
    await rm(workspace, { recursive: true, force: true })
  }
}

const exitCode = await main()
// Work an interruption cut short may still hold the event loop.
if (interruption.signal.aborted) process.exit(exitCode)
process.exitCode = exitCode
