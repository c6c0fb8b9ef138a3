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

/** The adapter's package does not export its API yet: the demo exits with code 2. */
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

/** The part of `@zmq-auth/thread` the demo uses. */
interface ThreadModule {
  ThreadAuthenticator: new () => {
    start(): Promise<void>
    stop(): Promise<void>
    configureCurve(domain: string, location: string): Promise<void>
    on(event: "decision", listener: (event: DecisionEvent) => void): unknown
  }
}

async function serveByThread(domain: string, directory: string): Promise<ServedEngine> {
  const { ThreadAuthenticator } = await importAdapter<ThreadModule>("thread", "@zmq-auth/thread", ["ThreadAuthenticator"])
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
    onProblem: () => {},
    stop: () => authenticator.stop(),
  }
}

/** The part of `@zmq-auth/rx` the demo uses (RxJS types kept structural). */
interface StreamModule {
  zapRequests(): { pipe(operator: unknown): { subscribe(observer: { error(error: unknown): void }): { unsubscribe(): void } } }
  authenticate(engine: Pick<Authenticator, "authenticate">): unknown
}

async function serveByStream(domain: string, directory: string): Promise<ServedEngine> {
  const { zapRequests, authenticate } = await importAdapter<StreamModule>("rx", "@zmq-auth/rx", ["zapRequests", "authenticate"])
  const engine = await configuredEngine(domain, directory)
  const problemListeners: Array<(message: string) => void> = []
  const subscription = zapRequests()
    .pipe(authenticate(engine))
    .subscribe({ error: (error) => problemListeners.forEach((listener) => listener(`ZAP stream failed: ${String(error)}`)) })
  return {
    onDecision: (listener) => engine.on("decision", listener),
    onProblem: (listener) => problemListeners.push(listener),
    stop: async () => subscription.unsubscribe(),
  }
}

async function importAdapter<T>(adapter: AdapterName, specifier: string, names: readonly string[]): Promise<T> {
  let module: Record<string, unknown>
  try {
    module = (await import(specifier)) as Record<string, unknown>
  } catch (error) {
    throw new AdapterUnavailableError(`--adapter ${adapter} is not available yet: ${specifier} cannot be loaded (${(error as Error).message})`)
  }
  const missing = names.filter((name) => typeof module[name] !== "function")
  if (missing.length > 0) throw new AdapterUnavailableError(`--adapter ${adapter} is not available yet: ${specifier} does not export ${missing.join(", ")}`)
  return module as T
}
