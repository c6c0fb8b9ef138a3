import { rmSync } from "node:fs"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DEMO_USAGE, parseDemoOptions, UsageError, type DemoOptions } from "./demo/options.js"
import { runFleet } from "./demo/fleet.js"
import { RedisNotInstalledError } from "./demo/local-redis.js"
import { runScenario } from "./demo/scenario.js"
import { AdapterUnavailableError } from "./demo/serve-engine.js"

const print = (text: string) => process.stdout.write(text + "\n")

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
  const removeOnInterrupt = () => {
    rmSync(workspace, { recursive: true, force: true })
    process.exit(130)
  }
  process.once("SIGINT", removeOnInterrupt)
  try {
    if (options.fleet) {
      print("zmq-auth fleet demo: three servers share their CURVE keys through Redis; a client is revoked with the CLI")
      return await runFleet(options.redisUrl, workspace, print)
    }
    print(`zmq-auth demo: ${options.clients} good, ${options.badClients} bad (wrong server key), ${options.unknownClients} unknown subscribers`)
    return await runScenario(options, workspace, print)
  } catch (error) {
    if (error instanceof AdapterUnavailableError || error instanceof RedisNotInstalledError) {
      process.stderr.write(`demo: ${error.message}\n`)
      return 2
    }
    process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`)
    return 1
  } finally {
    process.off("SIGINT", removeOnInterrupt)
    await rm(workspace, { recursive: true, force: true })
  }
}

process.exitCode = await main()
