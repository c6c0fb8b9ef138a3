import { spawn } from "node:child_process"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { callgrindCommand } from "./callgrind.js"
import type { RequestInstructionSpec } from "./instruction-burst.js"

/**
 * Runs instruction-burst.js under callgrind (per-thread counts) and resolves with the main
 * thread's instructions per NULL ZAP request of the handler `spec.kind`, one value per round.
 */
export async function countRequestInstructions(spec: Omit<RequestInstructionSpec, "outFile">): Promise<number[]> {
  const directory = await mkdtemp(join(tmpdir(), "zmq-auth-callgrind-"))
  try {
    const entry = fileURLToPath(new URL("./instruction-burst.js", import.meta.url))
    const argument: RequestInstructionSpec = { ...spec, outFile: join(directory, "callgrind.out") }
    const [command, args] = callgrindCommand(argument.outFile, [entry, JSON.stringify(argument)], true)
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] })
    let output = ""
    let errors = ""
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")))
    child.stderr.on("data", (chunk: Buffer) => (errors += chunk.toString("utf8")))
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once("error", reject)
      child.once("exit", resolve)
    })
    const line = output.trim().split("\n").at(-1)
    if (code !== 0 || line === undefined || line === "")
      throw new Error(
        `the callgrind request count exited with ${code}: ${errors.trim().split("\n").slice(-5).join(" ")}`
      )
    return JSON.parse(line) as number[]
  } finally {
    await rm(directory, { recursive: true, force: true })
  }
}
