import { handshakeRate, type HandshakeRun } from "./handshake/client-driver.js"
import {
  createCredentials,
  MECHANISMS,
  type HandshakeCredentials,
  type MechanismName,
} from "./handshake/credentials.js"
import { RemoteClients } from "./handshake/remote-clients.js"
import { clientWorkload, servePyzmq, serveVariantRemotely, type MeasuredEndpoint } from "./handshake/served-endpoint.js"
import { ADAPTERS, HANDWRITTEN } from "./handshake/zap-variants.js"
import { formatNumber, ratioRow, type BenchmarkReport, type ResultRow } from "./report/table.js"
import type { BenchSettings } from "./settings.js"
import { interleave, median } from "./statistics.js"

/** The target of every zmq-auth adapter's handshakes per second against pyzmq's. */
const MINIMUM_RATIO = 1

/** A server process: what answers the handshakes that the shared client driver makes. */
interface ServerSide {
  name: string
  serve(mechanism: MechanismName, credentials: HandshakeCredentials): Promise<MeasuredEndpoint>
}

/** One run against a side: the client driver's outcome and the server process's CPU time. */
interface SideRun {
  run: HandshakeRun
  /** CPU microseconds of the server process per handshake. */
  cpuUs: number
}

const PYZMQ: ServerSide = {
  name: "pyzmq ThreadAuthenticator",
  serve: (mechanism, credentials) => servePyzmq(mechanism, credentials),
}

/** A row of server CPU per handshake (lower is better), without a target; the ratio is pyzmq's over this side's. */
function costRow(subject: string, cpuUs: number, pyzmqCpuUs: number): ResultRow {
  return {
    subject,
    measured: `${formatNumber(cpuUs)} µs CPU per handshake`,
    baseline: `pyzmq: ${formatNumber(pyzmqCpuUs)} µs`,
    ratio: pyzmqCpuUs / cpuUs,
    target: "-",
  }
}

/**
 * Benchmark 2, against pyzmq: the same handshake workload, driven by the same Node client
 * process, against a server process guarded by each zmq-auth adapter (a child Node process) and
 * against one guarded by pyzmq's ThreadAuthenticator (a Python process). Each server process is
 * its own, so neither shares a process with the benchmark; besides handshakes per second, each
 * reports the CPU time it used per handshake.
 */
export async function benchmarkVersusPyzmq(settings: BenchSettings, pyzmqAvailable: boolean): Promise<BenchmarkReport> {
  const report: BenchmarkReport = {
    title: "2. Against pyzmq",
    workload:
      `${settings.handshakesPerRun} handshakes per run, ${settings.handshakeConcurrency} clients at once, ` +
      "driven by one child Node process (the client driver of benchmark 1). " +
      'The server is a ROUTER on tcp 127.0.0.1 with ZAP domain "bench" in a process of its own: ' +
      "a child Node process guarded by a zmq-auth adapter, " +
      "or a Python process guarded by pyzmq's ThreadAuthenticator " +
      "(configure_plain, configure_curve on the same certificate directory). " +
      "The hand-written rows (a ROUTER in the server process that allows everything) " +
      "show what any handler in a Node process reaches against pyzmq. " +
      "Server CPU: the server process's CPU time over the run (every thread: libzmq's I/O thread, " +
      "the handler's thread, V8's own threads), per handshake; its ratio is pyzmq's / zmq-auth's " +
      "(higher is better), shown without a target: it tells where a throughput gap comes from. " +
      "Each server process serves every run of a mechanism. " +
      `Interleaved, median of ${settings.rounds} after a warm-up run each.`,
    rows: [],
    notes: [],
  }
  if (!pyzmqAvailable) {
    report.notes.push("pyzmq is not available: skipped.")
    return report
  }
  const credentials = await createCredentials()
  const clients = new RemoteClients()
  const sides: ServerSide[] = ADAPTERS.map((variant) => ({
    name: `zmq-auth ${variant.name}`,
    serve: (mechanism, credentials) => serveVariantRemotely(variant, mechanism, credentials),
  }))
  // What any ZAP handler in a Node process can reach: a ROUTER that allows everything, no policy.
  const handwritten: ServerSide = {
    name: "hand-written handler (no policy)",
    serve: (mechanism, credentials) => serveVariantRemotely(HANDWRITTEN, mechanism, credentials),
  }
  const rows: ResultRow[] = []
  try {
    for (const mechanism of MECHANISMS) {
      // Every server process lives through the mechanism's runs, as a server does: the first
      // (warm-up) run compiles what a fresh Node process has not compiled yet.
      const all = [...sides, handwritten, PYZMQ]
      const served = new Map<ServerSide, MeasuredEndpoint>()
      const measure = async (side: ServerSide, count: number): Promise<SideRun> => {
        const server = served.get(side)!
        const before = await server.cpuNs()
        const run = await clients.run(
          clientWorkload(server.endpoint, mechanism, credentials, count, settings.handshakeConcurrency)
        )
        const after = await server.cpuNs()
        if (run.failures > 0)
          throw new Error(`${run.failures} of ${count} ${mechanism} handshakes failed against ${side.name}`)
        return { run, cpuUs: (after - before) / count / 1000 }
      }
      let runs: Map<ServerSide, SideRun[]>
      try {
        for (const side of all) served.set(side, await side.serve(mechanism, credentials))
        for (const side of all) await measure(side, settings.handshakesPerRun)
        runs = await interleave(all, settings.rounds, (side) => measure(side, settings.handshakesPerRun))
      } finally {
        for (const server of served.values()) await server.stop()
      }
      const rate = (side: ServerSide): number => median(runs.get(side)!.map((result) => handshakeRate(result.run)))
      const cpu = (side: ServerSide): number => median(runs.get(side)!.map((result) => result.cpuUs))
      const pyzmqRate = { name: "pyzmq", value: rate(PYZMQ) }
      for (const side of sides) {
        const subject = `${mechanism}, ${side.name}`
        rows.push(ratioRow(subject, { value: rate(side), unit: "handshakes/s" }, pyzmqRate, MINIMUM_RATIO))
        rows.push(costRow(`${subject}: server CPU`, cpu(side), cpu(PYZMQ)))
      }
      const subject = `${mechanism}, ${handwritten.name}`
      rows.push(ratioRow(subject, { value: rate(handwritten), unit: "handshakes/s" }, pyzmqRate))
      rows.push(costRow(`${subject}: server CPU`, cpu(handwritten), cpu(PYZMQ)))
    }
  } finally {
    await clients.close()
    await credentials.dispose()
  }
  report.rows = rows
  return report
}
