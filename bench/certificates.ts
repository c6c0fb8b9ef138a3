import { randomBytes } from "node:crypto"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
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
    await Promise.all(batch.map((index) => writeFile(join(directory, `client-${index}.key`), publicCertificate(`client-${index}`, z85.encode(randomBytes(32))))))
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

async function timeLoad(directory: string, expected: number): Promise<number> {
  const started = performance.now()
  const certificates = await loadCertificates(directory)
  const elapsedMs = performance.now() - started
  if (certificates.size !== expected) throw new Error(`loaded ${certificates.size} of ${expected} certificates`)
  return elapsedMs
}

/**
 * Benchmark 6, certificates: loading a directory of 10,000 public certificate files, and the
 * memory an engine keeps for 100,000 CURVE keys; both against pyzmq.
 */
export async function benchmarkCertificates(settings: BenchSettings, pyzmqAvailable: boolean): Promise<BenchmarkReport> {
  const files = settings.certificateFiles
  const keys = settings.memoryKeys
  const report: BenchmarkReport = {
    title: "6. Certificates",
    workload:
      `Loading: loadCertificates() on a directory of ${files.toLocaleString("en-US")} public certificate files (pyzmq layout, one ` +
      `metadata property each), median of ${settings.rounds} after a warm-up (page cache warm), against pyzmq's load_certificates ` +
      `on the same directory. Memory: heapUsed + external growth of this process after configureCurveKeys with ${keys.toLocaleString("en-US")} ` +
      "random 32-byte keys and two full collections (gc exposed at run time via v8.setFlagsFromString and vm), against " +
      "pyzmq's per-domain table {z85 key: True} measured with tracemalloc.",
    rows: [],
    notes: [],
  }
  const directory = await writeCertificateDirectory(files)
  try {
    await timeLoad(directory, files)
    const loadMs: number[] = []
    for (let round = 0; round < settings.rounds; round++) loadMs.push(await timeLoad(directory, files))
    const memoryBytes = curveKeyMemory(keys)
    let pyzmq: { loadSeconds: number[]; files: number; keyTableBytes: number } | undefined
    if (pyzmqAvailable) {
      pyzmq = JSON.parse(await runPython("certificates.py", [directory, String(settings.rounds), String(keys)])) as typeof pyzmq
      if (pyzmq!.files !== files) throw new Error(`pyzmq loaded ${pyzmq!.files} of ${files} certificates`)
    } else {
      report.notes.push("pyzmq is not available: no pyzmq baseline.")
    }
    const loadRow: ResultRow = {
      subject: `load ${files.toLocaleString("en-US")} certificate files`,
      measured: `${formatNumber(median(loadMs))} ms`,
      baseline: pyzmq === undefined ? "-" : `pyzmq: ${formatNumber(median(pyzmq.loadSeconds) * 1000)} ms`,
      target: "< 1000 ms",
      met: median(loadMs) < 1000,
    }
    if (pyzmq !== undefined) loadRow.ratio = (median(pyzmq.loadSeconds) * 1000) / median(loadMs)
    const memoryMegabytes = memoryBytes / 1024 / 1024
    const memoryRow: ResultRow = {
      subject: `memory of ${keys.toLocaleString("en-US")} CURVE keys`,
      measured: `${formatNumber(memoryMegabytes)} MB`,
      baseline: pyzmq === undefined ? "-" : `pyzmq: ${formatNumber(pyzmq.keyTableBytes / 1024 / 1024)} MB`,
      target: "< 50 MB",
      met: memoryMegabytes < 50,
    }
    if (pyzmq !== undefined) memoryRow.ratio = pyzmq.keyTableBytes / memoryBytes
    report.rows.push(loadRow, memoryRow)
    report.notes.push("Ratios here are pyzmq / zmq-auth (time, bytes): above 1 means zmq-auth is faster or smaller.")
  } finally {
    await rm(directory, { recursive: true, force: true })
  }
  return report
}
