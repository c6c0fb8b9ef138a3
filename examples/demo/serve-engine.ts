import { Authenticator, ZapHandler, type DecisionEvent } from "@zmq-auth/core"
import type { AdapterName } from "./options.js"

/** The policy engine, serving the ZAP endpoint of zeromq's global context. */
export interface ServedEngine {
  /** Calls `listener` with every decision (a PLAIN password is redacted by the engine). */
  onDecision(listener: (event: DecisionEvent) => void): void
  /** Calls `listener` with trouble that is not a decision: malformed requests, bad files. */
  onProblem(listener: (message: string) => void): void
  /** Stops serving and frees the ZAP endpoint. */
  stop(): Promise<void>
}

/** The adapter's package cannot be loaded (not built): the demo exits with code 2. */
export class AdapterUnavailableError extends Error {
  override readonly name = "AdapterUnavailableError"
}

/**
 * Serves an engine whose CURVE keys for `domain` come from the certificate directory, by the
 * chosen adapter. Resolves once the ZAP endpoint is bound.
 */
export async function serveEngine(adapter: AdapterName, domain: string, directory: string): Promise<ServedEngine> {
  switch (adapter) {
    case "loop":
      return serveByLoop(domain, directory)
    case "thread":
      return serveByThread(domain, directory)
    case "rx":
      return serveByStream(domain, directory)
  }
}

async function configuredEngine(domain: string, directory: string): Promise<Authenticator> {
  const engine = new Authenticator()
  const problems: string[] = []
  engine.on("certificate:error", (error) => problems.push(error.message))
  await engine.configureCurve(domain, directory)
  if (problems.length > 0) throw new Error(`certificate directory has bad files:\n  ${problems.join("\n  ")}`)
  return engine
}

async function serveByLoop(domain: string, directory: string): Promise<ServedEngine> {
  const engine = await configuredEngine(domain, directory)
  const handler = new ZapHandler(engine)
  await handler.start()
  return {
    onDecision: (listener) => engine.on("decision", listener),
    onProblem(listener) {
      handler.on("protocol:error", (error) => listener(`malformed ZAP request: ${error.message}`))
      handler.on("authenticate:error", (error) => listener(`engine failure: ${error.message}`))
      handler.on("reply:error", (error) => listener(`reply not delivered: ${error.message}`))
    },
    stop: () => handler.stop(),
  }
}

async function serveByThread(domain: string, directory: string): Promise<ServedEngine> {
  const { ThreadAuthenticator } = await importAdapter("thread", () => import("@zmq-auth/thread"))
  const authenticator = new ThreadAuthenticator()
  await authenticator.start()
  try {
    await authenticator.configureCurve(domain, directory)
  } catch (error) {
    await authenticator.stop()
    throw error
  }
  return {
    onDecision: (listener) => authenticator.on("decision", listener),
    onProblem(listener) {
      authenticator.on("worker:exit", (error) => listener(`worker ended: ${error.message}`))
      authenticator.on("certificate:error", (error) => listener(`bad certificate file: ${error.message}`))
    },
    stop: () => authenticator.stop(),
  }
}

async function serveByStream(domain: string, directory: string): Promise<ServedEngine> {
  const { zapRequests, authenticate, zapEndpointReleased } = await importAdapter("rx", () => import("@zmq-auth/rx"))
  const engine = await configuredEngine(domain, directory)
  const problemListeners: Array<(message: string) => void> = []
  const report = (message: string) => problemListeners.forEach((listener) => listener(message))
  const subscription = zapRequests({
    onProtocolError: (error) => report(`malformed ZAP request: ${error.message}`),
    onReplyError: (error) => report(`reply not delivered: ${error.message}`),
  })
    .pipe(authenticate(engine))
    .subscribe({
      error: (error: unknown) => report(`ZAP stream failed: ${error instanceof Error ? error.message : String(error)}`),
    })
  return {
    onDecision: (listener) => engine.on("decision", listener),
    onProblem: (listener) => problemListeners.push(listener),
    async stop() {
      subscription.unsubscribe()
      await zapEndpointReleased()
    },
  }
}

async function importAdapter<T>(adapter: AdapterName, load: () => Promise<T>): Promise<T> {
  try {
    return await load()
  } catch (error) {
    throw new AdapterUnavailableError(
      `--adapter ${adapter} is not available: its package cannot be loaded (${(error as Error).message})`
    )
  }
}
