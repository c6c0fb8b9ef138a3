import { z85, type DecisionEvent } from "@zmq-auth/core"
import type { HandshakeOutcome, DemoSubscriber } from "./subscriber.js"
import { formatTable } from "./table.js"

/** One printable value of a Buffer frame: text when it is printable, hex otherwise. */
function describeFrame(frame: Buffer): string {
  if (frame.length === 0) return "(empty)"
  const text = frame.toString("utf8")
  return /^[\x20-\x7e]+$/.test(text) ? JSON.stringify(text) : `0x${frame.toString("hex")}`
}

/** The client key of a CURVE request in Z85, or `undefined` for other mechanisms. */
export function curveKeyOf(event: DecisionEvent): string | undefined {
  const key = event.request.credentials[0]
  return event.request.mechanism === "CURVE" && key?.length === 32 ? z85.encode(key) : undefined
}

/** Two lines for one decision: the ZAP request as it arrived, then the reply. */
export function formatDecision(event: DecisionEvent, clientName: string | undefined): string {
  const { request, reply } = event
  const key = curveKeyOf(event)
  const credentials = key === undefined ? `${request.credentials.length} credential frame(s)` : `key ${key}`
  const requestLine =
    `-> ZAP ${request.version} id 0x${request.requestId.toString("hex")} domain ${JSON.stringify(request.domain)} ` +
    `address ${request.address} identity ${describeFrame(request.identity)} ${request.mechanism} ${credentials}` +
    (clientName === undefined ? "" : `  (${clientName})`)
  const userId =
    reply.userId === ""
      ? ""
      : reply.userId === key
        ? ", user id = client key"
        : `, user id ${JSON.stringify(reply.userId)}`
  const replyLine = `<- ${reply.statusCode} ${reply.statusText}${userId}  (${event.elapsedMs.toFixed(2)} ms)`
  return `${requestLine}\n   ${replyLine}`
}

/** What the summary needs to know about one subscriber. */
export interface SubscriberResult {
  subscriber: DemoSubscriber
  outcome: HandshakeOutcome
  /** The reply ZAP gave its key, if a request was made. */
  decision: DecisionEvent | undefined
}

/** Facts about the run shown under the table. */
export interface RunFacts {
  adapter: string
  published: number
  warmUp: number
  serverEvents: Map<string, number>
}

const KIND_TEXT = { good: "right", bad: "wrong", unknown: "right" } as const

function outcomeText(outcome: HandshakeOutcome): string {
  switch (outcome.kind) {
    case "connected":
      return "connected"
    case "denied":
      return `denied (status ${outcome.statusCode})`
    case "failed":
      return `failed: ${outcome.reason}`
  }
}

function messagesText(subscriber: DemoSubscriber): string {
  if (subscriber.received === 0) return "0"
  return `${subscriber.received} (#${subscriber.firstNumber}-#${subscriber.lastNumber})`
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>()
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1)
  return counts
}

/** The summary: a table of subscribers, then the totals. */
export function formatSummary(results: readonly SubscriberResult[], facts: RunFacts): string {
  const header = ["subscriber", "server key", "key listed", "handshake", "ZAP reply", "messages"]
  const rows = results.map(({ subscriber, outcome, decision }) => [
    subscriber.name,
    KIND_TEXT[subscriber.kind],
    subscriber.kind === "unknown" ? "no" : "yes",
    outcomeText(outcome),
    decision === undefined ? "no request" : `${decision.reply.statusCode} ${decision.reply.statusText}`,
    messagesText(subscriber),
  ])
  const connected = results.filter((result) => result.outcome.kind === "connected").length
  const denied = results.filter((result) => result.outcome.kind === "denied")
  const failed = results.filter((result) => result.outcome.kind === "failed")
  const deniedReasons = countBy(denied, (result) =>
    result.decision === undefined
      ? "no ZAP reply seen"
      : `${result.decision.reply.statusCode} ${result.decision.reply.statusText}`
  )
  const failedReasons = countBy(failed, (result) => (result.outcome.kind === "failed" ? result.outcome.reason : ""))
  const totals = [
    `${connected} connected`,
    `${denied.length} denied by ZAP${listReasons(deniedReasons)}`,
    `${failed.length} failed before ZAP${listReasons(failedReasons)}`,
  ]
  const serverEvents = [...facts.serverEvents].map(([name, count]) => `${count} ${name}`).join(", ") || "none"
  const warmUp = `${facts.warmUp} until every connected subscriber had one`
  return [
    `Summary (adapter ${facts.adapter})`,
    formatTable([header, ...rows]),
    "",
    `  ${totals.join("; ")}`,
    `  published ${facts.published} messages: ${warmUp}, then ${facts.published - facts.warmUp}`,
    `  publisher socket events: ${serverEvents}`,
  ].join("\n")
}

function listReasons(reasons: Map<string, number>): string {
  if (reasons.size === 0) return ""
  return ` (${[...reasons].map(([reason, count]) => (reasons.size === 1 ? reason : `${count}x ${reason}`)).join(", ")})`
}
