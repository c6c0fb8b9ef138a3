import { curveKeyPair, Publisher } from "zeromq"
import { requireZap, type DecisionEvent } from "@zmq-auth/core"
import { createDemoCertificates } from "./certificates.js"
import { withDeadline } from "./deadline.js"
import type { DemoOptions } from "./options.js"
import { publishNumbered } from "./publish.js"
import { curveKeyOf, formatDecision, formatSummary, type SubscriberResult } from "./report.js"
import { serveEngine } from "./serve-engine.js"
import { DemoSubscriber, type SubscriberKind } from "./subscriber.js"

/** The ZAP domain of the publisher. */
export const DEMO_DOMAIN = "demo"

const HANDSHAKE_DEADLINE_MS = 5000
const DELIVERY_DEADLINE_MS = 10_000

function names(prefix: SubscriberKind, count: number): string[] {
  return Array.from({ length: count }, (_, index) => `${prefix}-${index + 1}`)
}

/**
 * Runs the publish/subscribe scenario in `workspace` (an empty temporary directory) and prints
 * as it goes. Resolves with the exit code: 0 when every subscriber ended as its kind should.
 */
export async function runScenario(
  options: DemoOptions,
  workspace: string,
  print: (text: string) => void
): Promise<number> {
  const good = names("good", options.clients)
  const bad = names("bad", options.badClients)
  const unknown = names("unknown", options.unknownClients)
  const certificates = await createDemoCertificates(workspace, [...good, ...bad], unknown)
  const authorized = `${good.length + bad.length} public keys authorized for domain "${DEMO_DOMAIN}"`
  print(`Certificates: server and ${certificates.clients.size} clients; ${authorized}`)

  const engine = await serveEngine(options.adapter, DEMO_DOMAIN, certificates.authorizedDirectory)
  const publisher = new Publisher({ curveServer: true, curveSecretKey: certificates.server.secretKey, linger: 0 })
  const subscribers: DemoSubscriber[] = []
  try {
    const clientNames = new Map([...certificates.clients].map(([name, keys]) => [keys.publicKey, name]))
    const decisions = new Map<string, DecisionEvent>()
    const expectedDecisions = good.length + unknown.length
    let allDecided: () => void = () => {}
    const decided = new Promise<void>((resolve) => (allDecided = resolve))
    engine.onDecision((event) => {
      const key = curveKeyOf(event)
      if (key !== undefined) decisions.set(key, event)
      if (decisions.size >= expectedDecisions) allDecided()
      print(formatDecision(event, key === undefined ? undefined : clientNames.get(key)))
    })
    engine.onProblem((message) => print(`!! ${message}`))

    const serverEvents = countHandshakeEvents(publisher)
    requireZap(publisher, DEMO_DOMAIN)
    await publisher.bind("tcp://127.0.0.1:*")
    const endpoint = publisher.lastEndpoint!
    print(
      `Publisher bound at ${endpoint}, ZAP domain "${DEMO_DOMAIN}" required, served by the ${options.adapter} adapter`
    )
    print("")

    const wrongServerKey = curveKeyPair().publicKey
    for (const [kind, group] of [
      ["good", good],
      ["bad", bad],
      ["unknown", unknown],
    ] as const) {
      for (const name of group) {
        const serverKey = kind === "bad" ? wrongServerKey : certificates.server.publicKey
        subscribers.push(new DemoSubscriber(name, kind, certificates.clients.get(name)!, serverKey))
      }
    }
    for (const subscriber of subscribers) subscriber.connect(endpoint)
    const outcomes = await Promise.all(
      subscribers.map((subscriber) =>
        withDeadline(subscriber.outcome, HANDSHAKE_DEADLINE_MS, `a handshake event of ${subscriber.name}`).catch(
          () => ({
            kind: "failed" as const,
            reason: "no handshake",
          })
        )
      )
    )

    const receivers = subscribers.filter((subscriber, index) => outcomes[index]!.kind === "connected")
    print("")
    print(`Publishing to ${receivers.length} connected subscribers...`)
    const { warmUp, published } = await withDeadline(
      publishNumbered(publisher, receivers, options.messages),
      DELIVERY_DEADLINE_MS,
      "delivery of every message"
    )

    // The thread adapter forwards decisions from its worker: they may trail the handshakes.
    await withDeadline(decided, DELIVERY_DEADLINE_MS, `${expectedDecisions} ZAP decisions`).catch(() => undefined)
    const results: SubscriberResult[] = subscribers.map((subscriber, index) => ({
      subscriber,
      outcome: outcomes[index]!,
      decision: decisions.get(subscriber.publicKey),
    }))
    print("")
    print(formatSummary(results, { adapter: options.adapter, published, warmUp, serverEvents }))
    return unexpectedOutcomes(results, published - warmUp, print) === 0 ? 0 : 1
  } finally {
    for (const subscriber of subscribers) subscriber.close()
    publisher.close()
    await engine.stop()
  }
}

/** Counts the handshake events of the server socket, by kind and error. */
function countHandshakeEvents(publisher: Publisher): Map<string, number> {
  const counts = new Map<string, number>()
  const count = (name: string) => counts.set(name, (counts.get(name) ?? 0) + 1)
  publisher.events.on("handshake", () => count("handshakes"))
  publisher.events.on("handshake:error:auth", (event) => count(`auth failures (${event.error.status})`))
  publisher.events.on("handshake:error:protocol", (event) => count(`protocol errors (${event.error.code})`))
  publisher.events.on("handshake:error:other", (event) => count(`handshake errors (${event.error.code})`))
  return counts
}

function unexpectedOutcomes(
  results: readonly SubscriberResult[],
  counted: number,
  print: (text: string) => void
): number {
  const expected = { good: "connected", bad: "failed", unknown: "denied" } as const
  let problems = 0
  for (const { subscriber, outcome } of results) {
    if (outcome.kind !== expected[subscriber.kind]) {
      print(`!! ${subscriber.name} ended ${outcome.kind}, expected ${expected[subscriber.kind]}`)
      problems++
    } else if (subscriber.kind === "good" && subscriber.received < counted) {
      print(`!! ${subscriber.name} received ${subscriber.received} messages, expected at least ${counted}`)
      problems++
    }
  }
  return problems
}
