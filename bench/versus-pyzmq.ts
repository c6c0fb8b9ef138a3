import { handshakeRate, type HandshakeRun } from "./handshake/client-driver.js"
import {
  createCredentials,
  MECHANISMS,
  type HandshakeCredentials,
  type MechanismName,
} from "./handshake/credentials.js"
import { RemoteClients } from "./handshake/remote-clients.js"
import { clientWorkload, serveVariant, servePyzmq, type ServedEndpoint } from "./handshake/served-endpoint.js"
import { ADAPTERS, HANDWRITTEN } from "./handshake/zap-variants.js"
import { ratioRow, type BenchmarkReport, type ResultRow } from "./report/table.js"
import type { BenchSettings } from "./settings.js"
import { interleave, median } from "./statistics.js"

/** A server process side: what answers the handshakes that the shared client driver makes. */
interface ServerSide {
  name: string
  serve(mechanism: MechanismName, credentials: HandshakeCredentials): Promise<ServedEndpoint>
}

const PYZMQ: ServerSide = {
  name: "pyzmq ThreadAuthenticator",
  serve: (mechanism, credentials) => servePyzmq(mechanism, credentials),
}

/**
 * Benchmark 2, against pyzmq: the same handshake workload, driven by the same Node client
 * process, against a server guarded by each zmq-auth adapter (in this process) and against a
 * Python server guarded by pyzmq's ThreadAuthenticator (in a Python process).
 */
export async function benchmarkVersusPyzmq(settings: BenchSettings, pyzmqAvailable: boolean): Promise<BenchmarkReport> {
  const report: BenchmarkReport = {
    title: "2. Against pyzmq",
    workload:
      `${settings.handshakesPerRun} handshakes per run, ${settings.handshakeConcurrency} clients at once, ` +
      "driven by one child Node process (the client driver of benchmark 1). " +
      'The server is a ROUTER on tcp 127.0.0.1 with ZAP domain "bench": ' +
      "in this process guarded by a zmq-auth adapter, " +
      "or in a Python process guarded by pyzmq's ThreadAuthenticator " +
      "(configure_plain, configure_curve on the same certificate directory). " +
      "The hand-written row (a ROUTER in this process that allows everything) " +
      "shows what any handler in a Node process reaches against pyzmq. " +
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
    serve: (mechanism, credentials) => serveVariant(variant, mechanism, credentials),
  }))
  // What any ZAP handler in this process can reach: a ROUTER that allows everything, no policy.
  const handwritten: ServerSide = {
    name: "hand-written handler (no policy, same process)",
    serve: (mechanism, credentials) => serveVariant(HANDWRITTEN, mechanism, credentials),
  }
  const rows: ResultRow[] = []
  try {
    for (const mechanism of MECHANISMS) {
      const measure = async (side: ServerSide, count: number): Promise<HandshakeRun> => {
        const served = await side.serve(mechanism, credentials)
        try {
          const run = await clients.run(
            clientWorkload(served.endpoint, mechanism, credentials, count, settings.handshakeConcurrency)
          )
          if (run.failures > 0)
            throw new Error(`${run.failures} of ${count} ${mechanism} handshakes failed against ${side.name}`)
          return run
        } finally {
          await served.stop()
        }
      }
      const all = [...sides, handwritten, PYZMQ]
      for (const side of all) await measure(side, Math.ceil(settings.handshakesPerRun / 4))
      const runs = await interleave(all, settings.rounds, (side) => measure(side, settings.handshakesPerRun))
      const rate = (side: ServerSide): number => median(runs.get(side)!.map(handshakeRate))
      for (const side of sides) {
        rows.push(
          ratioRow(
            `${mechanism}, ${side.name}`,
            { value: rate(side), unit: "handshakes/s" },
            { name: "pyzmq", value: rate(PYZMQ) },
            1
          )
        )
      }
      rows.push(
        ratioRow(
          `${mechanism}, ${handwritten.name}`,
          { value: rate(handwritten), unit: "handshakes/s" },
          { name: "pyzmq", value: rate(PYZMQ) }
        )
      )
    }
  } finally {
    await clients.close()
    await credentials.dispose()
  }
  report.rows = rows
  return report
}
