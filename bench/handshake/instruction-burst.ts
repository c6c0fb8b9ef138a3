/**
 * Entry point of a process run under callgrind with per-thread counts (callgrind.ts): the
 * instructions the main thread executes per NULL ZAP request for each handler of the NULL
 * overhead benchmark. A worker thread ({@link ZapRequestDriver}) queues `count` requests at an
 * inproc address before the handler binds it in the main thread; the counters start from zero
 * once the handler is bound and are dumped once every reply has arrived. A window with no
 * request, measured the same way, is subtracted: what is left is the handler's work. The
 * argument is a JSON {@link RequestInstructionSpec}; prints one JSON {@link RequestInstructions}
 * line.
 */
import { dumpInstructions, zeroInstructions } from "./callgrind.js"
import { startNullHandler, type NullHandlerKind } from "./null-handlers.js"
import { ZapRequestDriver } from "./zap-requests.js"

/** What the process measures. */
export interface RequestInstructionSpec {
  /** The file callgrind was told to write (`--callgrind-out-file`). */
  outFile: string
  /** Requests per measured window. */
  count: number
  /** Measured windows per handler, the handlers taking turns. */
  rounds: number
  /** Windows per handler first, to let V8 compile the hot code. */
  warmups: number
}

/** Main-thread instructions per request, one value per round, per handler. */
export type RequestInstructions = Record<NullHandlerKind, number[]>

const MAIN_THREAD = 1
const KINDS: readonly NullHandlerKind[] = ["hand-written", "promise loop"]

const spec = JSON.parse(process.argv[2] ?? "null") as RequestInstructionSpec
const driver = new ZapRequestDriver()
let endpoints = 0

/** The main thread's instructions while a `kind` handler answers `count` queued requests. */
async function window(kind: NullHandlerKind, count: number): Promise<number> {
  const endpoint = `inproc://bench-instructions-${endpoints++}`
  await driver.fill(endpoint, count)
  const stop = await startNullHandler(kind, endpoint)
  try {
    await zeroInstructions(process.pid)
    await driver.drain(endpoint)
    return await dumpInstructions(process.pid, spec.outFile, MAIN_THREAD)
  } finally {
    await stop()
  }
}

try {
  for (let warmup = 0; warmup < spec.warmups; warmup++) for (const kind of KINDS) await window(kind, spec.count)
  const result: RequestInstructions = { "hand-written": [], "promise loop": [] }
  for (let round = 0; round < spec.rounds; round++) {
    for (const kind of round % 2 === 0 ? KINDS : [...KINDS].reverse()) {
      const answering = await window(kind, spec.count)
      const idle = await window(kind, 0)
      result[kind].push((answering - idle) / spec.count)
    }
  }
  process.stdout.write(`${JSON.stringify(result)}\n`)
} finally {
  await driver.close()
}
