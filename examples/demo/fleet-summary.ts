import type { HandshakeOutcome } from "./subscriber.js"
import { formatTable } from "./table.js"

/** What happened at one node of the fleet demo. */
export interface NodeResult {
  node: string
  before: HandshakeOutcome
  after: HandshakeOutcome
  /** The ZAP reply to the connection made after the revocation, e.g. "400 Key revoked". */
  replyAfter: string
  /** When the node's store emitted `credential:revoked`, in ms relative to the revoke command's return. */
  heardMs: number | undefined
  /** When the node's ZAP handler refused the new connection, in ms relative to the revoke command's return. */
  refusedMs: number | undefined
}

function signedMs(value: number | undefined): string {
  if (value === undefined) return "-"
  return `${value >= 0 ? "+" : "-"}${Math.abs(value).toFixed(1)} ms`
}

function outcomeText(outcome: HandshakeOutcome): string {
  switch (outcome.kind) {
    case "connected":
      return "connected"
    case "denied":
      return `refused (${outcome.statusCode})`
    case "failed":
      return `failed: ${outcome.reason}`
  }
}

/** Whether a node behaved as the demo shows: connected before the revocation, refused with 400 after. */
export function behaved(result: NodeResult): boolean {
  return result.before.kind === "connected" && result.after.kind === "denied" && result.after.statusCode === 400
}

/** The summary table, one row per node, and the legend of its times. */
export function formatFleetSummary(results: readonly NodeResult[]): string {
  const header = [
    "node",
    "before revocation",
    "after revocation",
    "ZAP reply",
    "refused",
    "revocation heard",
    "refused at",
  ]
  const rows = results.map((result) => [
    result.node,
    outcomeText(result.before),
    outcomeText(result.after),
    result.replyAfter,
    behaved(result) ? "yes" : "no",
    signedMs(result.heardMs),
    signedMs(result.refusedMs),
  ])
  const refused = results.filter(behaved).length
  return [
    formatTable([header, ...rows]),
    "",
    "  Times on one clock, relative to the moment `zmq-auth redis revoke-key --wait` returned:",
    "  revocation heard = the node's store emitted credential:revoked" +
      " (before the command returned: --wait waits for every node);",
    "  refused at = the node's ZAP handler denied the client's new connection, made after the command returned.",
    "",
    `${refused}/${results.length} nodes refused the revoked client`,
  ].join("\n")
}
