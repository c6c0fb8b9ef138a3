import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"

/** The repository root: built files are found relative to it. */
export const REPOSITORY_ROOT = fileURLToPath(new URL("../../", import.meta.url))

/** How a process ended and what it wrote. */
export interface ProcessResult {
  exitCode: number | null
  stdout: string
  /** Standard output as bytes, for binary output. */
  stdoutBytes: Buffer
  stderr: string
}

/**
 * Runs `node <script> ...args` from the repository root, writes `input` (if any) to its standard
 * input and closes it, and resolves once the process exited.
 */
export function runNode(script: string, args: readonly string[], options: { input?: string | Buffer; env?: NodeJS.ProcessEnv } = {}): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: REPOSITORY_ROOT, env: options.env ?? process.env })
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk))
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk))
    child.on("error", reject)
    child.on("close", (exitCode) => {
      const stdoutBytes = Buffer.concat(stdout)
      resolve({ exitCode, stdout: stdoutBytes.toString("utf8"), stdoutBytes, stderr: Buffer.concat(stderr).toString("utf8") })
    })
    child.stdin.end(options.input)
  })
}

/** Runs the built `zmq-auth` command line. */
export function runCli(args: readonly string[], options: { input?: string | Buffer } = {}): Promise<ProcessResult> {
  return runNode("packages/core/dist/cli/main.js", args, options)
}
