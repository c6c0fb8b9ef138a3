import { randomBytes } from "node:crypto"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Authenticator, encodeZapReply, parseZapRequest, z85, type ZapRequest } from "@zmq-auth/core"
import { runPython } from "./python-process.js"
import { ratioRow, type BenchmarkReport } from "./report/table.js"
import type { BenchSettings } from "./settings.js"
import { interleave, median } from "./statistics.js"

const DOMAIN = "bench"
const DISTINCT_REQUESTS = 10_000

type EngineMechanism = "PLAIN" | "CURVE"

/** The tables and requests shared with engine_decisions.py (as JSON). */
interface EngineWorkload {
  domain: string
  users: Array<[username: string, password: string]>
  curveKeys: string[]
  plainRequests: number[]
  curveRequests: number[]
}

function randomIndices(count: number, size: number): number[] {
  return Array.from({ length: count }, () => Math.floor(Math.random() * size))
}

function createWorkload(size: number): EngineWorkload {
  const users = Array.from({ length: size }, (_, index): [string, string] => [
    `user-${index}`,
    randomBytes(12).toString("base64url"),
  ])
  const curveKeys = Array.from({ length: size }, () => z85.encode(randomBytes(32)))
  const requests = Math.min(DISTINCT_REQUESTS, size)
  return {
    domain: DOMAIN,
    users,
    curveKeys,
    plainRequests: randomIndices(requests, size),
    curveRequests: randomIndices(requests, size),
  }
}

/** The ZAP frames of each request, as libzmq sends them after the routing envelope. */
function requestFrames(workload: EngineWorkload, mechanism: EngineMechanism): Buffer[][] {
  const header = (number: number, name: string): Buffer[] => [
    Buffer.from("1.0"),
    Buffer.from(String(number)),
    Buffer.from(workload.domain),
    Buffer.from("127.0.0.1"),
    Buffer.alloc(0),
    Buffer.from(name),
  ]
  if (mechanism === "PLAIN") {
    return workload.plainRequests.map((index, number) => {
      const [username, password] = workload.users[index]!
      return [...header(number, "PLAIN"), Buffer.from(username), Buffer.from(password)]
    })
  }
  return workload.curveRequests.map((index, number) => [
    ...header(number, "CURVE"),
    z85.decode(workload.curveKeys[index]!),
  ])
}

/**
 * The ceiling: an async function that does nothing but the lookup, on the same parsed
 * requests (plain string comparison, not constant time; CURVE keys looked up by their raw bytes).
 */
function ceilingDecider(
  workload: EngineWorkload,
  mechanism: EngineMechanism
): (request: ZapRequest) => Promise<boolean> {
  if (mechanism === "PLAIN") {
    const passwords = new Map(workload.users)
    return async (request) => passwords.get(request.credentials[0]!.toString()) === request.credentials[1]!.toString()
  }
  const keys = new Set(workload.curveKeys.map((key) => z85.decode(key).toString("latin1")))
  return async (request) => keys.has(request.credentials[0]!.toString("latin1"))
}

/** Awaits `decide` `count` times over the prepared inputs; resolves with decisions per second. */
async function decisionRate(count: number, size: number, decide: (index: number) => Promise<boolean>): Promise<number> {
  let allowed = 0
  const started = performance.now()
  for (let index = 0; index < count; index++) if (await decide(index % size)) allowed++
  const elapsedMs = performance.now() - started
  if (allowed !== count) throw new Error(`only ${allowed} of ${count} requests were allowed`)
  return (count * 1000) / elapsedMs
}

/** What is timed: the engine on parsed requests, the ceiling on the same, the whole message path on frames. */
type Path = "engine" | "ceiling" | "message"

/**
 * Benchmark 3, engine decisions per second without sockets: PLAIN with 100k users and CURVE
 * with 100k keys in one domain; the engine against a bare lookup (the ceiling) and the whole
 * message path (parse, decide, encode the reply) against pyzmq's handle_zap_message.
 */
export async function benchmarkEngineDecisions(
  settings: BenchSettings,
  pyzmqAvailable: boolean
): Promise<BenchmarkReport> {
  const size = settings.engineTableSize
  const count = settings.decisionsPerRun
  const workload = createWorkload(size)
  const authenticator = new Authenticator()
  authenticator.configurePlain(DOMAIN, new Map(workload.users))
  authenticator.configureCurveKeys(DOMAIN, workload.curveKeys)
  const report: BenchmarkReport = {
    title: "3. Engine decisions",
    workload:
      `PLAIN with ${size.toLocaleString("en-US")} users and CURVE with ${size.toLocaleString("en-US")} keys, ` +
      `both configured for domain "${DOMAIN}"; ` +
      `${count.toLocaleString("en-US")} sequential awaited decisions per run ` +
      `over ${Math.min(DISTINCT_REQUESTS, size).toLocaleString("en-US")} ` +
      "pre-built requests of random known users/keys (all allowed). " +
      '"engine": authenticate() on parsed requests (PLAIN passwords compared in ' +
      'constant time); "ceiling": an async function doing only a Map lookup on the same requests; "message path": ' +
      "parseZapRequest + authenticate + encodeZapReply on the frames, as pyzmq's handle_zap_message does " +
      "(pyzmq: same frames, a stub ZAP socket, its default logger). " +
      `Node variants interleaved, median of ${settings.rounds}; ` +
      `pyzmq median of ${settings.rounds} in one Python process.`,
    rows: [],
    notes: [],
  }
  let pyzmqRates: Record<EngineMechanism, number[]> | undefined
  if (pyzmqAvailable) {
    const directory = await mkdtemp(join(tmpdir(), "zmq-auth-bench-engine-"))
    try {
      const file = join(directory, "workload.json")
      await writeFile(file, JSON.stringify(workload))
      pyzmqRates = JSON.parse(
        await runPython("engine_decisions.py", [file, String(count), String(settings.rounds)])
      ) as Record<EngineMechanism, number[]>
    } finally {
      await rm(directory, { recursive: true, force: true })
    }
  } else {
    report.notes.push("pyzmq is not available: no pyzmq rows.")
  }
  for (const mechanism of ["PLAIN", "CURVE"] as const) {
    const frames = requestFrames(workload, mechanism)
    const requests = frames.map((message) => parseZapRequest(message))
    const ceiling = ceilingDecider(workload, mechanism)
    const decide: Record<Path, (index: number) => Promise<boolean>> = {
      engine: async (index) => (await authenticator.authenticate(requests[index]!)).statusCode === 200,
      ceiling: async (index) => await ceiling(requests[index]!),
      message: async (index) => {
        const reply = await authenticator.authenticate(parseZapRequest(frames[index]!))
        return encodeZapReply(reply)[2]![0] === 0x32 // "2" of "200"
      },
    }
    const paths: Path[] = ["engine", "ceiling", "message"]
    for (const path of paths) await decisionRate(Math.min(count, frames.length), frames.length, decide[path])
    const runs = await interleave(paths, settings.rounds, (path) => decisionRate(count, frames.length, decide[path]))
    const rate = (path: Path): number => median(runs.get(path)!)
    report.rows.push(
      ratioRow(
        `${mechanism}, engine authenticate()`,
        { value: rate("engine"), unit: "decisions/s" },
        { name: "ceiling", value: rate("ceiling") },
        0.75
      )
    )
    if (pyzmqRates !== undefined) {
      report.rows.push(
        ratioRow(
          `${mechanism}, message path`,
          { value: rate("message"), unit: "decisions/s" },
          { name: "pyzmq", value: median(pyzmqRates[mechanism]) },
          3
        )
      )
    }
  }
  return report
}
