/**
 * Entry point of a process run under callgrind with per-thread counts (callgrind.ts): the
 * instructions the main thread executes per NULL ZAP request for one handler of the NULL
 * overhead benchmark (one process per handler: V8 then compiles each as it would be used). A
 * worker thread ({@link ZapRequestDriver}) queues `count` requests at an inproc address before
 * the handler binds it in the main thread, and reads the replies once the window is counted.
 * The count of a window with no request, measured the same way (the median of one per round),
 * is subtracted: what is left is the handler's work. The argument is a JSON
 * {@link RequestInstructionSpec}; prints one JSON line, the instructions per request of each
 * round (the smaller of its two windows).
 */
import { dumpInstructions, zeroInstructions } from "./callgrind.js"
import { startNullHandler, type NullHandlerKind } from "./null-handlers.js"
import { ZapRequestDriver } from "./zap-requests.js"
import { median } from "../statistics.js"

/** What the process measures. */
export interface RequestInstructionSpec {
  /** The file callgrind was told to write (`--callgrind-out-file`). */
  outFile: string
  /** The handler measured. */
  kind: NullHandlerKind
  /** Requests per measured window. */
  count: number
  /** Measured rounds, of two windows each. */
  rounds: number
  /** Windows first, to let V8 compile the hot code. */
  warmups: number
}

const MAIN_THREAD = 1

const spec = JSON.parse(process.argv[2] ?? "null") as RequestInstructionSpec
const driver = new ZapRequestDriver()
let endpoints = 0

/**
 * The main thread's instructions while a handler is bound and answers `count` queued requests:
 * the counters start from zero before the bind (the handler answers as soon as it is bound) and
 * are dumped once it answered the last one; the replies are read afterwards, so that the reader
 * does not change how libzmq signals the pipe while the handler writes.
 */
async function window(count: number): Promise<number> {
  const endpoint = `inproc://bench-instructions-${endpoints++}`
  await driver.fill(endpoint, count)
  let left = count
  let allAnswered!: () => void
  const answered = new Promise<void>((resolve) => (allAnswered = resolve))
  if (left === 0) allAnswered()
  await zeroInstructions(process.pid)
  const stop = await startNullHandler(spec.kind, endpoint, () => {
    if (--left === 0) allAnswered()
  })
  try {
    await answered
    const instructions = await dumpInstructions(process.pid, spec.outFile, MAIN_THREAD)
    await driver.drain(endpoint)
    return instructions
  } finally {
    await stop()
  }
}

try {
  for (let warmup = 0; warmup < spec.warmups; warmup++) await window(spec.count)
  const answering: number[] = []
  const idle: number[] = []
  for (let round = 0; round < spec.rounds; round++) {
    // The smaller of two windows: what falls into a window by chance (a full garbage collection,
    // a compilation) only ever adds instructions.
    answering.push(Math.min(await window(spec.count), await window(spec.count)))
    idle.push(await window(0))
  }
  // One figure for the windows' fixed cost: a garbage collection that falls into one idle window
  // must not move one round.
  const fixed = median(idle)
  const perRequest = answering.map((instructions) => (instructions - fixed) / spec.count)
  process.stdout.write(`${JSON.stringify(perRequest)}\n`)
} finally {
  await driver.close()
}
