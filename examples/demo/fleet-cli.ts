import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { withDeadline } from "./deadline.js"
import { FLEET_NAMESPACE, sharedClock } from "./fleet-messages.js"

const CLI = fileURLToPath(new URL("../../../packages/core/dist/cli/main.js", import.meta.url))
const CLI_DEADLINE_MS = 15_000

/** What `zmq-auth redis <change> --wait --json` printed, and when it returned on the shared clock. */
export interface CliChange {
  /** The command as a user would type it. */
  command: string
  /** Its one line of JSON output. */
  output: string
  generation: number
  fleet: { applied: string[]; pending: string[]; elapsedMs: number }
  /** When the process exited (shared clock). */
  returnedAt: number
}

/**
 * Runs `zmq-auth redis <action> * <key> --wait --json` against `url` in the demo's namespace
 * and resolves once it exited 0; rejects with its error output otherwise. `signal` kills it.
 */
export async function changeWithCli(
  action: "add-key" | "revoke-key",
  publicKey: string,
  url: string,
  shownUrl: string,
  signal: AbortSignal
): Promise<CliChange> {
  const args = ["redis", action, "*", publicKey, "--wait", "--json", "--namespace", FLEET_NAMESPACE]
  const child = spawn(process.execPath, [CLI, ...args, "--url", url], { stdio: ["ignore", "pipe", "pipe"], signal })
  const stdout: Buffer[] = []
  const stderr: Buffer[] = []
  child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk))
  child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk))
  const closed = new Promise<number | null>((resolve, reject) => {
    child.once("error", reject)
    child.once("close", resolve)
  })
  let exitCode: number | null
  try {
    exitCode = await withDeadline(closed, CLI_DEADLINE_MS, `zmq-auth redis ${action}`)
  } catch (error) {
    child.kill("SIGKILL")
    throw error
  }
  const returnedAt = sharedClock()
  const options = `--wait --json --namespace ${FLEET_NAMESPACE} --url ${shownUrl}`
  const command = `zmq-auth redis ${action} '*' ${publicKey} ${options}`
  const output = Buffer.concat(stdout).toString("utf8").trim()
  if (exitCode !== 0)
    throw new Error(
      `${command} exited with ${String(exitCode)}: ${Buffer.concat(stderr).toString("utf8").trim() || output}`
    )
  const parsed = JSON.parse(output) as Pick<CliChange, "generation" | "fleet">
  return { command, output, generation: parsed.generation, fleet: parsed.fleet, returnedAt }
}
