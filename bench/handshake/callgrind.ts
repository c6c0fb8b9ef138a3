import { execFile, spawnSync } from "node:child_process"
import { readdir, readFile } from "node:fs/promises"
import { basename, dirname } from "node:path"

/**
 * Whether valgrind's callgrind and its `callgrind_control` can run here: the instruction-count
 * rows need both, and are skipped where they are missing.
 */
export function callgrindAvailable(): boolean {
  const valgrind = spawnSync("valgrind", ["--tool=callgrind", "--version"], { stdio: "ignore" })
  const control = spawnSync("callgrind_control", ["--version"], { stdio: "ignore" })
  return valgrind.status === 0 && control.status === 0
}

/**
 * The command and arguments that run `node` with `nodeArguments` under callgrind, counting
 * instructions only (no cache simulation), writing its dumps next to `outFile`. With
 * `perThread`, every thread counts apart and V8 is made to do its garbage collection and
 * compilation on the thread that needs it, so a thread's count is all the work done for it, and
 * to keep the bytecode of functions idle between windows (else it is dropped and compiled again).
 */
export function callgrindCommand(
  outFile: string,
  nodeArguments: readonly string[],
  perThread = false
): [command: string, args: string[]] {
  const tool = ["--tool=callgrind", `--callgrind-out-file=${outFile}`]
  if (perThread) tool.push("--separate-threads=yes")
  const node = perThread ? ["--single-threaded", "--no-flush-bytecode"] : []
  return ["valgrind", [...tool, process.execPath, ...node, ...nodeArguments]]
}

/** Runs `callgrind_control` with `args`; rejects with its error output when it fails. */
function callgrindControl(args: readonly string[]): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    execFile("callgrind_control", args, (error, _stdout, stderr) => {
      if (error === null) resolve()
      else reject(new Error(`callgrind_control ${args.join(" ")} failed: ${stderr.trim() || error.message}`))
    })
  })
}

/** Makes callgrind in process `pid` count from zero again, without writing a dump. */
export async function zeroInstructions(pid: number): Promise<void> {
  await callgrindControl(["--zero", String(pid)])
}

/**
 * Makes callgrind in process `pid` (started with {@link callgrindCommand} and `outFile`) dump
 * its counters and start again from zero; resolves with the instructions the dump holds: those
 * of `thread` (1 is the main thread) when the counts are per thread, else of every thread.
 */
export async function dumpInstructions(pid: number, outFile: string, thread?: number): Promise<number> {
  await callgrindControl(["--dump", String(pid)])
  const dumps = await dumpNumbers(outFile)
  const last = Math.max(...dumps)
  if (!Number.isFinite(last)) throw new Error(`callgrind wrote no dump beside ${outFile}`)
  const suffix = thread === undefined ? "" : `-${String(thread).padStart(2, "0")}`
  const text = await readFile(`${outFile}.${last}${suffix}`, "latin1")
  const summary = /^summary: (\d+)/m.exec(text)
  if (summary === null) throw new Error(`callgrind dump ${outFile}.${last}${suffix} has no summary line`)
  return Number(summary[1])
}

/** The numbers of the dumps written so far beside `outFile` (`<outFile>.<n>` or `<outFile>.<n>-<thread>`). */
async function dumpNumbers(outFile: string): Promise<number[]> {
  const prefix = `${basename(outFile)}.`
  const numbers: number[] = []
  for (const name of await readdir(dirname(outFile))) {
    if (!name.startsWith(prefix)) continue
    const number = Number(/^\d+/.exec(name.slice(prefix.length))?.[0])
    if (Number.isInteger(number)) numbers.push(number)
  }
  return numbers
}
