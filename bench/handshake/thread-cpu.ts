import { readFileSync } from "node:fs"

/**
 * CPU time of the calling thread in nanoseconds, from the scheduler's own accounting
 * (`/proc/thread-self/schedstat`, Linux): unlike wall time it does not grow while other
 * processes hold the CPU. Undefined where that file does not exist.
 */
export function threadCpuNs(): number | undefined {
  try {
    const stat = readFileSync("/proc/thread-self/schedstat", "latin1")
    const nanoseconds = Number(stat.slice(0, stat.indexOf(" ")))
    return Number.isFinite(nanoseconds) ? nanoseconds : undefined
  } catch {
    return undefined
  }
}

/** CPU time of the whole process (every thread: libzmq's I/O threads too) in nanoseconds. */
export function processCpuNs(): number {
  const { user, system } = process.cpuUsage()
  return (user + system) * 1000
}
