/**
 * Entry point of the child process that drives handshake clients for the benchmarks that keep
 * clients out of the measured process: reads one JSON {@link ClientWorkload} per stdin line and
 * answers each with one JSON {@link HandshakeRun} line on stdout. Exits when stdin ends.
 */
import { createInterface } from "node:readline"
import { allowManySockets, runHandshakes, type ClientWorkload } from "./client-driver.js"

allowManySockets()

const lines = createInterface({ input: process.stdin })
for await (const line of lines) {
  if (line.trim() === "") continue
  const run = await runHandshakes(JSON.parse(line) as ClientWorkload)
  process.stdout.write(`${JSON.stringify(run)}\n`)
}
