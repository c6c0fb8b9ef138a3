/**
 * Entry point of a process run under callgrind with per-thread counts (callgrind.ts): the
 * instructions the main thread executes per NULL ZAP request for one handler of the NULL
 * overhead benchmark (one process per handler: V8 then compiles each as it would be used). A
 * worker thread ({@link ZapRequestDriver}) queues `count` requests at an
 * inproc address before the handler binds it in the main thread; the counters start from zero
 * once the handler is bound and are dumped once every reply has arrived. A window with no
 * request, measured the same way, is subtracted: what is left is the handler's work. The
 * argument is a JSON {@link RequestInstructionSpec}; prints one JSON line, the instructions per
 * request of each measured window.
 */
import { dumpInstructions, zeroInstructions } from "./callgrind.js"
import { startNullHandler, type NullHandlerKind } from "./null-handlers.js"
import { ZapRequestDriver } from "./zap-requests.js"

/** What the process measures. */
export interface RequestInstructionSpec {
  /** The file callgrind was told to write (`--callgrind-out-file`). */
  outFile: string
  /** The handler measured. */
  kind: NullHandlerKind
  /** Requests per measured window. */
  count: number
  /** Measured windows. */
  rounds: number
  /** Windows first, to let V8 compile the hot code. */
  warmups: number
}

const MAIN_THREAD = 1

const spec = JSON.parse(process.argv[2] ?? "null") as RequestInstructionSpec
const driver = new ZapRequestDriver()
let endpoints = 0

/** The main thread's instructions while the handler answers `count` queued requests. */
async function window(count: number): Promise<number> {
  const endpoint = `inproc://bench-instructions-${endpoints++}`
  await driver.fill(endpoint, count)
  const stop = await startNullHandler(spec.kind, endpoint)
  try {
    await zeroInstructions(process.pid)
    await driver.drain(endpoint)
    return await dumpInstructions(process.pid, spec.outFile, MAIN_THREAD)
  } finally {
    await stop()
  }
}

try {
  for (let warmup = 0; warmup < spec.warmups; warmup++) await window(spec.count)
  const perRequest: number[] = []
  for (let round = 0; round < spec.rounds; round++) {
    const answering = await window(spec.count)
    const idle = await window(0)
    perRequest.push((answering - idle) / spec.count)
  }
  process.stdout.write(`${JSON.stringify(perRequest)}\n`)
} finally {
  await driver.close()
}
