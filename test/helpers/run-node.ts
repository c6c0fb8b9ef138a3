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

/** How long a child may run before {@link runNode} kills it: below vitest's 30 s test timeout. */
export const CHILD_TIMEOUT_MS = 20_000

/** Options of {@link runNode}. */
export interface RunNodeOptions {
  input?: string | Buffer
  env?: NodeJS.ProcessEnv
  /** Kills the child (SIGKILL) and rejects after this many milliseconds; default {@link CHILD_TIMEOUT_MS}. */
  timeoutMs?: number
}

/**
 * Runs `node <script> ...args` from the repository root, writes `input` (if any) to its standard
 * input and closes it, and resolves once the process exited. A child still running after
 * `timeoutMs` is killed and the promise rejects with what it wrote so far: a hung child never
 * outlives its test.
 */
export function runNode(script: string, args: readonly string[], options: RunNodeOptions = {}): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: REPOSITORY_ROOT, env: options.env ?? process.env })
    const timeoutMs = options.timeoutMs ?? CHILD_TIMEOUT_MS
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill("SIGKILL")
    }, timeoutMs)
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk))
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk))
    child.on("error", (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on("close", (exitCode) => {
      clearTimeout(timer)
      const stdoutBytes = Buffer.concat(stdout)
      if (timedOut) {
        const output = `${stdoutBytes.toString("utf8")}${Buffer.concat(stderr).toString("utf8")}`
        reject(
          new Error(
            `node ${script} ${args.join(" ")} still running after ${timeoutMs} ms: killed; output so far: ${output}`
          )
        )
        return
      }
      resolve({
        exitCode,
        stdout: stdoutBytes.toString("utf8"),
        stdoutBytes,
        stderr: Buffer.concat(stderr).toString("utf8"),
      })
    })
    child.stdin.end(options.input)
  })
}

/** Runs the built `zmq-auth` command line. */
export function runCli(args: readonly string[], options: { input?: string | Buffer } = {}): Promise<ProcessResult> {
  return runNode("packages/core/dist/cli/main.js", args, options)
}
