import { randomBytes } from "node:crypto"
import { mkdtemp, rename, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { monitorEventLoopDelay } from "node:perf_hooks"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { Authenticator, loadCertificates, z85 } from "@zmq-auth/core"
import { runPython } from "./python-process.js"
import { formatNumber, type BenchmarkReport, type ResultRow } from "./report/table.js"
import type { BenchSettings } from "./settings.js"
import { median } from "./statistics.js"

const WRITE_BATCH = 500

/** A public certificate in the layout pyzmq's create_certificates writes. */
function publicCertificate(name: string, publicKey: string): string {
  return [
    `#   ****  Generated on ${new Date().toISOString()} by the zmq-auth benchmarks  ****`,
    "#   ZeroMQ CURVE Public Certificate",
    "#   Exchange securely, or use a secure mechanism to verify the contents",
    "#   of this file after exchange. Store public certificates in your home",
    "#   directory, in the .curve subdirectory.",
    "",
    "metadata",
    `    name = "${name}"`,
    "curve",
    `    public-key = "${publicKey}"`,
    "",
  ].join("\n")
}

async function writeCertificateDirectory(count: number): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), "zmq-auth-bench-certificates-"))
  for (let start = 0; start < count; start += WRITE_BATCH) {
    const batch = Array.from({ length: Math.min(WRITE_BATCH, count - start) }, (_, offset) => start + offset)
    await Promise.all(
      batch.map((index) =>
        writeFile(
          join(directory, `client-${index}.key`),
          publicCertificate(`client-${index}`, z85.encode(randomBytes(32)))
        )
      )
    )
  }
  return directory
}

/** V8's `gc()`, exposed at run time so that `npm run bench` needs no node flag. */
function garbageCollector(): () => void {
  setFlagsFromString("--expose-gc")
  return runInNewContext("gc") as () => void
}

function retainedBytes(collect: () => void): number {
  collect()
  collect()
  const usage = process.memoryUsage()
  return usage.heapUsed + usage.external
}

function* randomKeys(count: number): Generator<Uint8Array> {
  for (let index = 0; index < count; index++) yield randomBytes(32)
}

/** Bytes retained by an Authenticator holding `count` CURVE keys (heap and external, after full collections). */
function curveKeyMemory(count: number): number {
  const collect = garbageCollector()
  const before = retainedBytes(collect)
  const authenticator = new Authenticator().configureCurveKeys("bench", randomKeys(count))
  const after = retainedBytes(collect)
  if (authenticator.listenerCount("decision") !== 0) throw new Error("unexpected listener")
  return after - before
}

/**
 * Milliseconds a load took, and the longest delay of a 1 ms timer meanwhile (how long the event
 * loop was kept from other work; a timer, not a busy loop of turns that would take CPU from the load).
 */
async function timeLoad(directory: string, expected: number): Promise<{ elapsedMs: number; longestStallMs: number }> {
  const delays = monitorEventLoopDelay({ resolution: 1 })
  delays.enable()
  const started = performance.now()
  const certificates = await loadCertificates(directory)
  const elapsedMs = performance.now() - started
  delays.disable()
  if (certificates.size !== expected) throw new Error(`loaded ${certificates.size} of ${expected} certificates`)
  return { elapsedMs, longestStallMs: delays.max / 1e6 }
}

/** The longest delay of a 1 ms timer while the process does nothing for `ms`: the machine's share. */
async function idleStallMs(ms: number): Promise<number> {
  const delays = monitorEventLoopDelay({ resolution: 1 })
  delays.enable()
  await new Promise((resolve) => setTimeout(resolve, ms))
  delays.disable()
  return delays.max / 1e6
}

/**
 * Milliseconds from replacing one file of the watched `directory` (renamed into place) to the
 * reload event that applies it, with no debounce: what a change costs on top of `debounceMs`.
 */
async function timeWatchedChanges(directory: string, files: number, rounds: number): Promise<number[]> {
  const authenticator = new Authenticator()
  await authenticator.configureCurve("bench", directory, { watch: true, debounceMs: 0 })
  const times: number[] = []
  // The watcher keeps nothing alive: this does, while a reload is awaited.
  const keepAlive = setInterval(() => undefined, 1000)
  try {
    for (let round = 0; round <= rounds; round++) {
      const staged = join(directory, `.staged-${round}`)
      await writeFile(staged, publicCertificate(`changed-${round}`, z85.encode(randomBytes(32))))
      const applied = new Promise<number>((resolve) => {
        authenticator.once("certificates:reload", (event) => {
          if (event.total !== files || event.added !== 1 || event.removed !== 1)
            throw new Error(`unexpected reload ${JSON.stringify(event)}`)
          resolve(performance.now())
        })
      })
      const started = performance.now()
      await rename(staged, join(directory, `client-${round}.key`))
      const elapsedMs = (await applied) - started
      if (round > 0) times.push(elapsedMs)
    }
  } finally {
    clearInterval(keepAlive)
    authenticator.close()
  }
  return times
}

/**
 * Benchmark 6, certificates: loading a directory of 10,000 public certificate files, and the
 * memory an engine keeps for 100,000 CURVE keys; both against pyzmq.
 */
export async function benchmarkCertificates(
  settings: BenchSettings,
  pyzmqAvailable: boolean
): Promise<BenchmarkReport> {
  const files = settings.certificateFiles
  const keys = settings.memoryKeys
  const report: BenchmarkReport = {
    title: "6. Certificates",
    workload:
      `Loading: loadCertificates() on a directory of ${files.toLocaleString("en-US")} public certificate files ` +
      `(pyzmq layout, one metadata property each), median of ${settings.rounds} after a warm-up (page cache warm), ` +
      "against pyzmq's load_certificates on the same directory, one round of each in turn. " +
      "Watched change: configureCurve with watch (debounceMs 0) on that directory, " +
      "one file replaced by a new certificate renamed into place, time until the reload event has applied it; " +
      `median of ${settings.rounds} after a warm-up. ` +
      "Memory: heapUsed + external growth of this process " +
      `after configureCurveKeys with ${keys.toLocaleString("en-US")} random 32-byte keys and two full collections ` +
      "(gc exposed at run time via v8.setFlagsFromString and vm), against " +
      "pyzmq's per-domain table {z85 key: True} measured with tracemalloc.",
    rows: [],
    notes: [],
  }
  const directory = await writeCertificateDirectory(files)
  try {
    await timeLoad(directory, files)
    const loadMs: number[] = []
    const stallMs: number[] = []
    const idleMs: number[] = []
    const pyzmqLoadSeconds: number[] = []
    // Interleaved: a round of each, so that both see the same load on the machine.
    for (let round = 0; round < settings.rounds; round++) {
      const { elapsedMs, longestStallMs } = await timeLoad(directory, files)
      loadMs.push(elapsedMs)
      stallMs.push(longestStallMs)
      idleMs.push(await idleStallMs(elapsedMs))
      if (!pyzmqAvailable) continue
      const timed = JSON.parse(await runPython("certificates.py", [directory, "1", "0"])) as {
        loadSeconds: number[]
        files: number
      }
      if (timed.files !== files) throw new Error(`pyzmq loaded ${timed.files} of ${files} certificates`)
      pyzmqLoadSeconds.push(...timed.loadSeconds)
    }
    const memoryBytes = curveKeyMemory(keys)
    let pyzmq: { loadSeconds: number[]; files: number; keyTableBytes: number } | undefined
    if (pyzmqAvailable) {
      pyzmq = JSON.parse(await runPython("certificates.py", [directory, "1", String(keys)])) as typeof pyzmq
      pyzmq!.loadSeconds = pyzmqLoadSeconds
    } else {
      report.notes.push("pyzmq is not available: no pyzmq baseline.")
    }
    const loadRow: ResultRow = {
      subject: `load ${files.toLocaleString("en-US")} certificate files`,
      measured: `${formatNumber(median(loadMs))} ms`,
      baseline: pyzmq === undefined ? "-" : `pyzmq: ${formatNumber(median(pyzmq.loadSeconds) * 1000)} ms`,
      target: ">= 1.0x pyzmq",
      met: pyzmq === undefined ? median(loadMs) < 1000 : median(pyzmq.loadSeconds) * 1000 >= median(loadMs),
    }
    if (pyzmq !== undefined) loadRow.ratio = (median(pyzmq.loadSeconds) * 1000) / median(loadMs)
    const changeMs = await timeWatchedChanges(directory, files, settings.rounds)
    const changeRow: ResultRow = {
      subject: `apply 1 changed file of ${files.toLocaleString("en-US")} (watched)`,
      measured: `${formatNumber(median(changeMs))} ms`,
      baseline: "-",
      target: "< 20 ms",
      met: median(changeMs) < 20,
    }
    report.notes.push(
      `While loading, a 1 ms timer was late by at most ${formatNumber(Math.max(...stallMs))} ms ` +
        `(median of the rounds' longest: ${formatNumber(median(stallMs))} ms); ` +
        "files are read in slices of 4 ms, so longer delays are the machine's scheduling: " +
        "idle for as long, the same timer was late by at most " +
        `${formatNumber(Math.max(...idleMs))} ms (median ${formatNumber(median(idleMs))} ms).`
    )
    const memoryMegabytes = memoryBytes / 1024 / 1024
    const memoryRow: ResultRow = {
      subject: `memory of ${keys.toLocaleString("en-US")} CURVE keys`,
      measured: `${formatNumber(memoryMegabytes)} MB`,
      baseline: pyzmq === undefined ? "-" : `pyzmq: ${formatNumber(pyzmq.keyTableBytes / 1024 / 1024)} MB`,
      target: "< 50 MB",
      met: memoryMegabytes < 50,
    }
    if (pyzmq !== undefined) memoryRow.ratio = pyzmq.keyTableBytes / memoryBytes
    report.rows.push(loadRow, changeRow, memoryRow)
    report.notes.push("Ratios here are pyzmq / zmq-auth (time, bytes): above 1 means zmq-auth is faster or smaller.")
  } finally {
    await rm(directory, { recursive: true, force: true })
  }
  return report
}
