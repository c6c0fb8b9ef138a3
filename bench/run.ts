/**
 * `npm run bench [-- --quick] [-- --only 3,6]`: runs every benchmark (or the numbered ones) in
 * sequence, prints one markdown table of ratios and, on a full run of all of them, saves it to
 * bench/RESULTS.md with the date and the machine.
 */
import { writeFile } from "node:fs/promises"
import { fileURLToPath } from "node:url"
import { benchmarkBusyMainThread } from "./busy-main-thread.js"
import { benchmarkCertificates } from "./certificates.js"
import { benchmarkEngineDecisions } from "./engine-decisions.js"
import { benchmarkFleet } from "./fleet.js"
import { allowManySockets } from "./handshake/client-driver.js"
import { benchmarkHandshakeOverhead } from "./handshake-overhead.js"
import { benchmarkMetricsOverhead } from "./metrics-overhead.js"
import { benchmarkNullOverhead } from "./null-overhead.js"
import { describeMachine, type MachineDescription } from "./report/machine.js"
import { renderMarkdown, type BenchmarkReport } from "./report/table.js"
import { benchSettings } from "./settings.js"
import { benchmarkSlowCredentialStore } from "./slow-credential-store.js"
import { benchmarkVersusPyzmq } from "./versus-pyzmq.js"

allowManySockets()
const settings = benchSettings()
const machine = await describeMachine()
const pyzmqAvailable = machine.pyzmq !== "unavailable"

const onlyIndex = process.argv.indexOf("--only")
const only =
  onlyIndex === -1
    ? undefined
    : new Set((process.argv[onlyIndex + 1] ?? "").split(",").map((number) => `${number.trim()}.`))

const allBenchmarks: Array<[title: string, run: () => Promise<BenchmarkReport>]> = [
  ["1. Handshake overhead", () => benchmarkHandshakeOverhead(settings)],
  ["2. Against pyzmq", () => benchmarkVersusPyzmq(settings, pyzmqAvailable)],
  ["3. Engine decisions", () => benchmarkEngineDecisions(settings, pyzmqAvailable)],
  ["4. Slow credential store", () => benchmarkSlowCredentialStore(settings, pyzmqAvailable)],
  ["5. Busy main thread", () => benchmarkBusyMainThread(settings)],
  ["6. Certificates", () => benchmarkCertificates(settings, pyzmqAvailable)],
  ["7. Metrics overhead", () => benchmarkMetricsOverhead(settings)],
  ["8. Fleet (Redis store)", () => benchmarkFleet(settings)],
  ["9. NULL overhead", () => benchmarkNullOverhead(settings)],
]
const benchmarks = allBenchmarks.filter(([title]) => only === undefined || only.has(title.split(" ")[0]!))

function header(description: MachineDescription, elapsedSeconds: number): string {
  return [
    `# zmq-auth benchmarks${settings.quick ? " (quick smoke run: numbers mean nothing)" : ""}`,
    "",
    `Run on ${new Date().toISOString().slice(0, 10)} in ${Math.round(elapsedSeconds)} s: ` +
      `${description.cpuModel}, ${description.cores} cores, ` +
      `Node ${description.nodeVersion}, libzmq ${description.libzmqVersion} (zeromq.js); ${description.pyzmq}.`,
    "",
    "Ratios, not absolute times: the machine is shared and noisy. " +
      "Each benchmark's workload is described under the table.",
    "Ratio is measured / baseline where higher is better, except where a note says otherwise.",
    "",
    "",
  ].join("\n")
}

const started = performance.now()
const reports: BenchmarkReport[] = []
for (const [title, run] of benchmarks) {
  process.stderr.write(`running ${title}...\n`)
  const benchmarkStarted = performance.now()
  try {
    reports.push(await run())
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    reports.push({
      title,
      workload: "failed",
      rows: [{ subject: "failed", measured: message, baseline: "-", target: "-" }],
      notes: [],
    })
  }
  process.stderr.write(`  ${((performance.now() - benchmarkStarted) / 1000).toFixed(1)} s\n`)
}
const markdown = `${header(machine, (performance.now() - started) / 1000)}${renderMarkdown(reports)}\n`
console.log(markdown)
if (!settings.quick && only === undefined) {
  const file = fileURLToPath(new URL("../../bench/RESULTS.md", import.meta.url))
  await writeFile(file, markdown)
  process.stderr.write("saved bench/RESULTS.md\n")
}
