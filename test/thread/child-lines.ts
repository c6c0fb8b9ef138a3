import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process"
import { createInterface } from "node:readline"

/** A child process whose stdout is read line by line. */
export interface LineChild {
  process: ChildProcessWithoutNullStreams
  /** Resolves with the next stdout line; rejects when the child ends first or after `guardMs`. */
  nextLine(guardMs?: number): Promise<string>
  /** Resolves with the exit code once the child has ended; rejects after `guardMs`. */
  exited(guardMs?: number): Promise<number | null>
  /** Everything the child wrote to stderr so far. */
  stderr(): string
}

/** Spawns `command` with `args`, collecting stdout lines and stderr text. */
export function spawnLines(command: string, args: readonly string[], options: { cwd?: string } = {}): LineChild {
  const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"], ...options })
  const lines: string[] = []
  const waiting: Array<(line: string | undefined) => void> = []
  let ended = false
  let errorText = ""
  child.stderr.on("data", (chunk: Buffer) => {
    errorText += chunk.toString()
  })
  const reader = createInterface({ input: child.stdout })
  reader.on("line", (line) => {
    const waiter = waiting.shift()
    if (waiter === undefined) lines.push(line)
    else waiter(line)
  })
  reader.on("close", () => {
    ended = true
    for (const waiter of waiting.splice(0)) waiter(undefined)
  })
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))

  function guarded<T>(promise: Promise<T>, guardMs: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} within ${guardMs} ms; stderr: ${errorText}`)), guardMs)
    })
    return Promise.race([promise, expired]).finally(() => clearTimeout(timer))
  }

  return {
    process: child,
    nextLine(guardMs = 10_000) {
      const line = lines.shift()
      if (line !== undefined) return Promise.resolve(line)
      if (ended) return Promise.reject(new Error(`child ended without another line; stderr: ${errorText}`))
      const next = new Promise<string>((resolve, reject) => {
        waiting.push((value) =>
          value === undefined
            ? reject(new Error(`child ended without another line; stderr: ${errorText}`))
            : resolve(value)
        )
      })
      return guarded(next, guardMs, "no line from the child")
    },
    exited(guardMs = 10_000) {
      return guarded(exit, guardMs, "the child did not exit")
    },
    stderr: () => errorText,
  }
}
