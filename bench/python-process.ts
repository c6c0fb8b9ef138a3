import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process"
import { fileURLToPath } from "node:url"

/**
 * The interpreter that has pyzmq: Debian's system Python (package python3-zmq), which is not
 * necessarily the `python3` first on PATH. Override with `BENCH_PYTHON`.
 */
export const PYTHON = process.env["BENCH_PYTHON"] ?? "/usr/bin/python3"

/** The file of a helper script in bench/python (this module runs from build/bench). */
export function pythonScript(name: string): string {
  return fileURLToPath(new URL(`../../bench/python/${name}`, import.meta.url))
}

/** Starts a helper script; its stderr is passed through. */
export function spawnPython(script: string, args: readonly string[]): ChildProcessWithoutNullStreams {
  const child = spawn(PYTHON, [pythonScript(script), ...args], { stdio: ["pipe", "pipe", "pipe"] })
  child.stderr.on("data", (chunk: Buffer) => process.stderr.write(chunk))
  return child
}

/** Runs a helper script to completion and resolves with its stdout; rejects on a non-zero exit. */
export function runPython(script: string, args: readonly string[], timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawnPython(script, args)
    let output = ""
    const guard = setTimeout(() => child.kill(), timeoutMs)
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8")
    })
    child.on("error", (error) => {
      clearTimeout(guard)
      reject(error)
    })
    child.on("close", (code) => {
      clearTimeout(guard)
      if (code === 0) resolve(output)
      else reject(new Error(`${script} exited with code ${String(code)}`))
    })
    child.stdin.end()
  })
}
