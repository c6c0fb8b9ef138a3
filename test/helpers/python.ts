import { execFile, execFileSync } from "node:child_process"

/** Debian's interpreter, the one python3-zmq (pyzmq) is installed for. */
export const PYTHON = "/usr/bin/python3"

let checked: string | undefined

/**
 * Throws, with what to install, unless `/usr/bin/python3` can import pyzmq with CURVE support.
 * Returns pyzmq's and libzmq's versions. Interop tests call it first: they never skip.
 */
export function requirePyzmq(): string {
  if (checked !== undefined) return checked
  try {
    checked = execFileSync(
      PYTHON,
      ["-c", "import zmq, zmq.auth; assert zmq.has('curve'); print(zmq.__version__, zmq.zmq_version())"],
      {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      }
    ).trim()
  } catch (error) {
    throw new Error(
      `interop tests need pyzmq with CURVE for ${PYTHON}: install the Debian package python3-zmq ` +
        `(apt-get install python3-zmq). Cause: ${(error as Error).message}`,
      { cause: error }
    )
  }
  return checked
}

/** What a Python run printed. */
export interface PythonResult {
  stdout: string
  stderr: string
}

/**
 * Runs `script` with `/usr/bin/python3 -c` and `args` as `sys.argv[1:]`. Rejects with stdout and
 * stderr when it exits non-zero, and kills it after `timeoutMs` (a guard: scripts bound their own waits).
 */
export function runPython(script: string, args: readonly string[] = [], timeoutMs = 20_000): Promise<PythonResult> {
  requirePyzmq()
  return new Promise((resolve, reject) => {
    execFile(
      PYTHON,
      ["-c", script, ...args],
      { encoding: "utf8", timeout: timeoutMs, killSignal: "SIGKILL" },
      (error, stdout, stderr) => {
        if (error !== null) {
          const ended = error.killed ? `killed after ${timeoutMs} ms` : `exit ${String(error.code)}`
          reject(new Error(`${PYTHON} failed (${ended}):\n${stderr}\n${stdout}`))
        } else {
          resolve({ stdout, stderr })
        }
      }
    )
  })
}

/** Runs `script` and parses the last line it printed as JSON. */
export async function runPythonJson<T>(script: string, args: readonly string[] = [], timeoutMs?: number): Promise<T> {
  const { stdout } = await runPython(script, args, timeoutMs)
  const last = stdout.trim().split("\n").at(-1) ?? ""
  try {
    return JSON.parse(last) as T
  } catch {
    throw new Error(`Python printed no JSON result:\n${stdout}`)
  }
}
