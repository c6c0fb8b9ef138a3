import { spawn } from "node:child_process"
import { join } from "node:path"
import { REPOSITORY_ROOT } from "../helpers/run-node.js"

/** The built `zmq-auth` script. */
export const CLI_SCRIPT = join(REPOSITORY_ROOT, "packages/core/dist/cli/main.js")

/** Characters that must never reach a terminal raw: C0 controls but newline, DEL, C1 controls. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const RAW_CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/

/** How a process ended and what it wrote (as text). */
export interface Outcome {
  exitCode: number | null
  stdout: string
  stderr: string
}

/** Runs `file args...` from the repository root with an empty standard input and collects its output. */
export function runProgram(file: string, args: readonly string[]): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: REPOSITORY_ROOT })
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk))
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk))
    child.on("error", reject)
    child.on("close", (exitCode) =>
      resolve({
        exitCode,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
      })
    )
    child.stdin.end()
  })
}

/**
 * Runs the CLI as `zmq-auth args... | head -c 1` would: standard output is closed as soon as its
 * first chunk arrives, so the CLI's later writes fail with EPIPE. Give it more output than a pipe
 * buffers (64 KiB on Linux, and a first chunk of up to 64 KiB) or it may finish writing first.
 */
export function runCliClosingStdoutEarly(
  args: readonly string[],
  input?: Buffer
): Promise<Outcome & { signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_SCRIPT, ...args], { cwd: REPOSITORY_ROOT })
    const stderr: Buffer[] = []
    let stdout = ""
    child.stdout.once("data", (chunk: Buffer) => {
      stdout = chunk.toString("utf8")
      child.stdout.destroy()
    })
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk))
    child.on("error", reject)
    // The CLI may exit without reading all of its input; that is its decision, not a test failure.
    child.stdin.on("error", () => undefined)
    child.on("close", (exitCode, signal) =>
      resolve({ exitCode, signal, stdout, stderr: Buffer.concat(stderr).toString("utf8") })
    )
    child.stdin.end(input)
  })
}
