import { parentPort, workerData, type MessagePort } from "node:worker_threads"
import {
  Authenticator,
  AuthenticatorError,
  STORE_EVENTS,
  ZapHandler,
  type AuthenticatorOptions,
  type CredentialStore,
  type CurveKeyCallback,
  type StoreEventName,
  type ZapRequest,
} from "@zmq-auth/core"
import { asError, AUTHENTICATE_NOW, BatchRecorder, decideNowOf, useMetricsRecorder } from "@zmq-auth/core/internal"
import type { ConfigurableEngine } from "./apply-configuration.js"
import { answerConfigure, type ConfigureMessage } from "./configure-answer.js"
import { METRICS_FLUSH_MS } from "./defaults.js"
import { EarlyCalls } from "./early-calls.js"
import { guardProcessExit, type ExitCode } from "./exit-guard.js"
import {
  isMessageId,
  readMainMessage,
  readWorkerSettings,
  type CallbackRequest,
  type MainMessage,
  type ReportedEvent,
  type WorkerMessage,
} from "./messages.js"
import { PendingReplies } from "./pending-replies.js"
import { replayPolicy } from "./replay-policy.js"
import {
  reviveError,
  transferArguments,
  transferDecision,
  transferError,
  transferReload,
  transferRequest,
} from "./transfer.js"

/** What the worker needs of the engine it serves. */
type Engine = ConfigurableEngine &
  Pick<Authenticator, "authenticate" | "on"> & { close?: () => unknown; stores?: CredentialStore[] }

const ENGINE_METHODS = [
  "authenticate",
  "on",
  "allow",
  "deny",
  "configurePlain",
  "configureCurve",
  "configureCurveKeys",
  "configureCurveCallback",
  "configureGssapi",
] as const

/**
 * The worker thread of a `ThreadAuthenticator`: builds the engine, applies the recorded policy,
 * binds the ZAP endpoint with the core `ZapHandler`, then applies configuration calls in the
 * order they arrive and forwards decisions. It always closes its ZAP socket before it ends
 * (a zeromq socket still receiving when a worker is torn down aborts the whole process): on
 * "stop" (even while still starting), after an uncaught exception, and when a custom module
 * calls `process.exit()`.
 */
function runWorker(port: MessagePort, settings: ReturnType<typeof readWorkerSettings>): void {
  const mainThreadCalls = new PendingReplies<unknown>()
  let handler: ZapHandler | undefined
  let ending: Promise<void> | undefined
  let closeEngine: () => unknown = () => undefined
  let stores: CredentialStore[] = []
  /** Aborted when the worker ends: checks still running are abandoned and their requests answered. */
  const stopping = new AbortController()

  const post = (message: WorkerMessage): void => port.postMessage(message)
  // No metrics SDK runs in this thread: measurements are batched for the main thread's
  // instruments, and made only while the main thread has an SDK to record them.
  const metrics = new BatchRecorder(() => Atomics.load(settings.metricsWanted, 0) === 1)
  useMetricsRecorder(metrics)
  const flushMetrics = (): void => {
    if (!metrics.empty) post({ type: "metrics", batch: metrics.drain() })
  }
  const metricsTimer = setInterval(flushMetrics, METRICS_FLUSH_MS)
  metricsTimer.unref()
  const report = (event: ReportedEvent, error: unknown): void =>
    post({ type: "report", event, error: transferError(error) })
  const exitThread = guardProcessExit((code, error) => {
    if (ending === undefined) report("worker:error", error)
    void end(code)
  })

  /**
   * Runs a callback on the main thread. The promise settles only when the main thread's callback
   * has settled, so the engine's count of outstanding checks (`maxPendingChecks`) covers callbacks
   * that never settle there; when the engine stops waiting, the callback's own signal is aborted.
   */
  function callMainThread(request: CallbackRequest, signal: AbortSignal): Promise<unknown> {
    const { id, reply } = mainThreadCalls.open()
    post({ type: "callback:call", id, request })
    signal.addEventListener(
      "abort",
      () => {
        post({
          type: "callback:abort",
          id,
          reason: signal.reason instanceof Error ? signal.reason.message : "the answer is no longer wanted",
        })
      },
      { once: true }
    )
    return reply
  }

  const keyCallback =
    (callbackId: number): CurveKeyCallback =>
    (domain, publicKey, check) =>
      callMainThread({ callback: "curveKey", callbackId, domain, publicKey }, check.signal) as Promise<boolean>

  async function createEngine(): Promise<Engine> {
    const options: AuthenticatorOptions = {}
    if (settings.callbackTimeoutMs !== undefined) options.callbackTimeoutMs = settings.callbackTimeoutMs
    if (settings.maxPendingChecks !== undefined) options.maxPendingChecks = settings.maxPendingChecks
    if (settings.guard !== undefined) options.guard = settings.guard
    if (settings.remoteCurveUserId) {
      options.curveUserId = (publicKey, request, check) =>
        callMainThread(
          { callback: "curveUserId", publicKey, request: transferRequest(request) },
          check.signal
        ) as Promise<string>
    }
    if (settings.module === undefined) return new Authenticator(options)
    const loaded = (await import(settings.module)) as { createAuthenticator?: unknown }
    if (typeof loaded.createAuthenticator !== "function") {
      throw new AuthenticatorError(`module ${settings.module} does not export a createAuthenticator(options) function`)
    }
    const engine = (await (loaded.createAuthenticator as (options: AuthenticatorOptions) => unknown)(
      options
    )) as Partial<Engine> | null
    const missing = ENGINE_METHODS.filter((method) => typeof engine?.[method] !== "function")
    if (missing.length > 0) {
      throw new AuthenticatorError(
        `createAuthenticator() of ${settings.module} returned an object without ${missing.join(", ")}`
      )
    }
    return engine as Engine
  }

  async function start(): Promise<Engine | undefined> {
    try {
      const engine = await createEngine()
      engine.on("decision", (event) => {
        if (Atomics.load(settings.decisionsWanted, 0) === 1) post({ type: "decision", event: transferDecision(event) })
      })
      engine.on("certificate:error", (error) => report("certificate:error", error))
      engine.on("certificates:reload", (event) => post({ type: "certificates:reload", event: transferReload(event) }))
      closeEngine = () => engine.close?.()
      stores = forwardStoreEvents(engine)
      // Calls made after start() was called apply before the bind too, after the recorded ones.
      await replayPolicy(engine, { policy: settings.policy, early, callbackFor: keyCallback, answer: post })
      // Ending already (a stop while starting, process.exit() in the module): bind nothing.
      if (ending !== undefined) return undefined
      const decide = decideNowOf(engine)
      const served = {
        authenticate: (request: ZapRequest) => engine.authenticate(request, { signal: stopping.signal }),
        [AUTHENTICATE_NOW]: (request: ZapRequest) => decide(request, { signal: stopping.signal }),
      }
      const zap = new ZapHandler(served, {
        endpoint: settings.endpoint,
        ...(settings.concurrency === undefined ? {} : { concurrency: settings.concurrency }),
      })
      zap.on("protocol:error", (error) => report("protocol:error", error))
      zap.on("authenticate:error", (error, request) =>
        post({
          type: "report",
          event: "authenticate:error",
          error: transferError(error),
          request: transferRequest(request),
        })
      )
      zap.on("reply:error", (error) => report("reply:error", error))
      handler = zap
      await zap.start()
      if (ending !== undefined) return undefined
      post({ type: "ready" })
      return engine
    } catch (error) {
      if (ending !== undefined) return undefined
      post({ type: "start:failed", error: transferError(error) })
      void end(1)
      return undefined
    }
  }

  /**
   * Answers what is in flight, closes the ZAP socket, then ends the thread. Called while still
   * starting, it closes whatever was bound so far and `start()` binds nothing more.
   */
  function end(exitCode: ExitCode): Promise<void> {
    ending ??= (async () => {
      stopping.abort(new AuthenticatorError("the worker thread stops"))
      try {
        await handler?.stop()
      } catch (error) {
        report("worker:error", error)
      }
      try {
        await closeEngine()
      } catch (error) {
        report("worker:error", error)
      }
      await closeStores()
      clearInterval(metricsTimer)
      flushMetrics()
      Atomics.store(settings.closed, 0, 1)
      Atomics.notify(settings.closed, 0)
      post({ type: "stopped" })
      exitThread(exitCode)
    })()
    return ending
  }

  /** Re-emits the events of the engine's stores on the main thread; the stores to close at the end. */
  function forwardStoreEvents(engine: Engine): CredentialStore[] {
    const configured = Array.isArray(engine.stores) ? engine.stores : []
    for (const store of configured) {
      const emitter = store as Partial<Pick<Authenticator, "on">>
      if (typeof emitter.on !== "function") continue
      for (const name of STORE_EVENTS) {
        emitter.on.call(store, name as never, ((...args: unknown[]) => postStoreEvent(name, args)) as never)
      }
    }
    return configured
  }

  function postStoreEvent(name: StoreEventName, args: unknown[]): void {
    try {
      post({ type: "store:event", name, args: transferArguments(args) })
    } catch (error) {
      report(
        "message:error",
        new AuthenticatorError(`a ${name} event of a credential store cannot be sent to the main thread`, {
          cause: error,
        })
      )
    }
  }

  /** Awaits `close()` of every store the engine was given; a failure is a `store:error` event. */
  async function closeStores(): Promise<void> {
    await Promise.all(
      stores.map(async (store) => {
        try {
          await store.close?.()
        } catch (error) {
          postStoreEvent("store:error", [asError(error, AuthenticatorError)])
        }
      })
    )
  }

  /** Configuration calls that arrive while the engine is built: `start()` applies them before it binds. */
  const early = new EarlyCalls<ConfigureMessage>()
  const started = start()
  let configuring: Promise<unknown> = started

  function dispatch(message: MainMessage): void {
    switch (message.type) {
      case "configure":
        if (early.offer(message)) return
        configuring = configuring.then(async () => {
          const engine = await started
          if (engine !== undefined) await answerConfigure(engine, message, keyCallback, post)
        })
        return
      case "callback:result":
        mainThreadCalls.resolve(message.id, message.value)
        return
      case "callback:failed":
        mainThreadCalls.reject(message.id, reviveError(message.error))
        return
      case "stop":
        // Not waiting for start(): a module that never settles must not keep the worker alive.
        void end(0)
        return
    }
  }

  port.on("message", (data: unknown) => {
    let message: MainMessage
    try {
      message = readMainMessage(data)
    } catch (error) {
      report("message:error", error)
      const id = (data as { type?: unknown; id?: unknown } | null)?.id
      if ((data as { type?: unknown } | null)?.type === "configure" && isMessageId(id)) {
        post({
          type: "configure:failed",
          id,
          error: transferError(
            new AuthenticatorError("the configuration call could not be read by the worker thread", { cause: error })
          ),
        })
      }
      return
    }
    dispatch(message)
  })
  port.on("messageerror", (error) =>
    report(
      "message:error",
      new AuthenticatorError("a message from the main thread could not be deserialized", { cause: error })
    )
  )

  process.on("uncaughtException", (error) => {
    report("worker:error", error)
    void end(1)
  })
}

if (parentPort === null) {
  throw new Error("worker.js is the worker thread of ThreadAuthenticator and cannot run on its own")
}
runWorker(parentPort, readWorkerSettings(workerData))
