import { Worker } from "node:worker_threads"
import { metricsRecorder, replayMetricsBatch } from "@zmq-auth/core/internal"
import {
  AuthenticatorError,
  DEFAULT_CALLBACK_TIMEOUT_MS,
  type CredentialCheck,
  type StoreEventName,
  type ZapRequest,
} from "@zmq-auth/core"
import { EXIT_WAIT_MS, METRICS_FLUSH_MS, STOP_GRACE_MS } from "./defaults.js"
import {
  isMessageId,
  readWorkerMessage,
  type CallbackRequest,
  type ConfigurationCall,
  type MainMessage,
  type ReportedEvent,
  type TransferredArgument,
  type TransferredDecision,
  type TransferredReload,
  type WorkerMessage,
  type WorkerSettings,
} from "./messages.js"
import { PendingReplies } from "./pending-replies.js"
import { reviveError, reviveRequest, transferError } from "./transfer.js"

/** How a {@link WorkerSession} hands what the worker says to its owner. */
export interface WorkerSessionHooks {
  decision(event: TransferredDecision): void
  reload(event: TransferredReload): void
  /** An event of a credential store living in the worker. */
  storeEvent(name: StoreEventName, args: TransferredArgument[]): void
  report(event: Exclude<ReportedEvent, "worker:error">, error: Error, request?: ZapRequest): void
  /** Runs a main-thread callback for the worker; its result (or failure) is sent back. */
  callback(request: CallbackRequest, check: CredentialCheck): unknown
  /** The worker ended on its own after it was ready (a crash or an exit nobody asked for). */
  exit(error: Error): void
}

type State = "starting" | "running" | "stopping" | "exited"

/**
 * One worker thread's life, from spawn to exit: start-up, configuration calls awaiting the
 * worker's answer, main-thread callbacks the worker asks for, and an orderly stop.
 */
export class WorkerSession {
  readonly #worker: Worker
  readonly #hooks: WorkerSessionHooks
  readonly #configurations = new PendingReplies<void>()
  readonly #stopGraceMs: number
  /** Main-thread callbacks running for the worker, by call id: aborted when the worker gives up on them or ends. */
  readonly #callbacks = new Map<number, AbortController>()
  #state: State = "starting"
  #startFailure: Error | undefined
  #crash: Error | undefined
  #markReady!: () => void
  #markExited!: () => void
  #stopping: Promise<void> | undefined
  /** Settles once the worker has bound the ZAP endpoint; rejects with why it could not. */
  readonly ready: Promise<void>
  /** Resolves once the worker thread is gone. */
  readonly exited: Promise<void>

  /** Spawns the worker (`worker.js` next to this module). Throws when `settings` cannot be cloned. */
  constructor(settings: Omit<WorkerSettings, "closed" | "metricsWanted">, hooks: WorkerSessionHooks) {
    this.#hooks = hooks
    this.#stopGraceMs = (settings.callbackTimeoutMs ?? DEFAULT_CALLBACK_TIMEOUT_MS) + STOP_GRACE_MS
    let failStart!: (error: Error) => void
    this.ready = new Promise<void>((resolve, reject) => {
      this.#markReady = resolve
      failStart = reject
    })
    this.ready.catch(() => undefined)
    this.exited = new Promise<void>((resolve) => {
      this.#markExited = resolve
    })
    const closed = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT))
    const metrics = followMetricsRecorder()
    try {
      this.#worker = new Worker(new URL("./worker.js", import.meta.url), {
        workerData: { ...settings, closed, metricsWanted: metrics.flag },
      })
    } catch (error) {
      metrics.stop()
      throw error
    }
    void this.exited.then(metrics.stop)
    const closeBeforeExit = (): void => this.#closeBeforeProcessExit(closed)
    process.on("exit", closeBeforeExit)
    this.exited.then(
      () => process.off("exit", closeBeforeExit),
      () => undefined
    )
    this.#worker.on("message", (data: unknown) => this.#receive(data))
    this.#worker.on("messageerror", (error) =>
      hooks.report(
        "message:error",
        new AuthenticatorError("a message from the worker thread could not be deserialized", { cause: error })
      )
    )
    this.#worker.on("error", (error) => {
      this.#crash ??= error
    })
    this.#worker.on("exit", (exitCode) => this.#onExit(exitCode, failStart))
  }

  /** Whether the worker is up, bound and not stopping. */
  get running(): boolean {
    return this.#state === "running"
  }

  /** Whether the worker thread is gone (stopped, failed to start, or crashed). */
  get ended(): boolean {
    return this.#state === "exited"
  }

  /** The worker's thread id, for diagnostics. */
  get threadId(): number {
    return this.#worker.threadId
  }

  /** Sends a configuration call; settles once the worker applied it or failed to. */
  configure(call: ConfigurationCall): Promise<void> {
    if (this.#state !== "starting" && this.#state !== "running") {
      return Promise.reject(new AuthenticatorError(`cannot configure: the worker thread is ${this.#state}`))
    }
    const { id, reply } = this.#configurations.open()
    try {
      this.#post({ type: "configure", id, call })
    } catch (error) {
      this.#configurations.reject(
        id,
        new AuthenticatorError(`${call.method} arguments cannot be sent to the worker thread`, { cause: error })
      )
    }
    return reply
  }

  /**
   * Asks the worker to answer what is in flight, unbind and end; resolves once the thread is
   * gone. A worker still starting gives up its start (`ready` rejects unless it was ready
   * first). A worker that does not end within the callback timeout plus a grace period (one
   * that never reads the request, say) is terminated. Idempotent.
   */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop()
    return this.#stopping
  }

  async #stop(): Promise<void> {
    if (this.#state === "exited") return
    this.#state = "stopping"
    this.#postQuietly({ type: "stop" })
    let guard: NodeJS.Timeout | undefined
    const overdue = new Promise<boolean>((resolve) => {
      guard = setTimeout(() => resolve(true), this.#stopGraceMs)
    })
    const late = await Promise.race([this.exited.then(() => false), overdue])
    clearTimeout(guard)
    if (late) {
      await this.#worker.terminate()
      await this.exited
    }
  }

  /**
   * Runs inside `process.exit()`: asks the worker to close its ZAP socket and blocks until it
   * has (at most {@link EXIT_WAIT_MS}), because Node then tears the worker down, and a zeromq
   * socket still receiving at that moment aborts the whole process.
   */
  #closeBeforeProcessExit(closed: Int32Array): void {
    if (this.#state === "exited" || Atomics.load(closed, 0) === 1) return
    this.#postQuietly({ type: "stop" })
    Atomics.wait(closed, 0, 0, EXIT_WAIT_MS)
  }

  #post(message: MainMessage): void {
    this.#worker.postMessage(message)
  }

  #receive(data: unknown): void {
    let message: WorkerMessage
    try {
      message = readWorkerMessage(data)
    } catch (error) {
      this.#hooks.report("message:error", error as Error)
      this.#rejectMalformedAnswer(data, error)
      return
    }
    switch (message.type) {
      case "ready":
        if (this.#state === "starting") this.#state = "running"
        this.#markReady()
        return
      case "start:failed":
        this.#startFailure = reviveError(message.error)
        return
      case "configured":
        this.#configurations.resolve(message.id, undefined)
        return
      case "configure:failed":
        this.#configurations.reject(message.id, reviveError(message.error))
        return
      case "decision":
        this.#hooks.decision(message.event)
        return
      case "certificates:reload":
        this.#hooks.reload(message.event)
        return
      case "store:event":
        this.#hooks.storeEvent(message.name, message.args)
        return
      case "callback:call":
        void this.#answer(message.id, message.request)
        return
      case "callback:abort":
        this.#callbacks.get(message.id)?.abort(new AuthenticatorError(message.reason))
        return
      case "report":
        if (message.event === "worker:error") this.#crash ??= reviveError(message.error)
        else
          this.#hooks.report(
            message.event,
            reviveError(message.error),
            message.request === undefined ? undefined : reviveRequest(message.request)
          )
        return
      case "metrics":
        replayMetricsBatch(message.batch, metricsRecorder())
        return
      case "stopped":
        return
    }
  }

  /**
   * A configuration call whose answer failed validation would otherwise never settle: when the
   * answer still names its call, that call rejects.
   */
  #rejectMalformedAnswer(data: unknown, error: unknown): void {
    if (data === null || typeof data !== "object") return
    const { type, id } = data as { type?: unknown; id?: unknown }
    if ((type === "configured" || type === "configure:failed") && isMessageId(id)) {
      this.#configurations.reject(
        id,
        new AuthenticatorError("the worker thread's answer to this configuration call was malformed", { cause: error })
      )
    }
  }

  async #answer(id: number, request: CallbackRequest): Promise<void> {
    let value: unknown
    const controller = new AbortController()
    this.#callbacks.set(id, controller)
    try {
      value = await this.#hooks.callback(request, { signal: controller.signal })
    } catch (error) {
      this.#postQuietly({ type: "callback:failed", id, error: transferError(error) })
      return
    } finally {
      this.#callbacks.delete(id)
    }
    try {
      this.#post({ type: "callback:result", id, value })
    } catch (error) {
      const failure = new AuthenticatorError(
        `${request.callback} returned a value that cannot be sent to the worker thread`,
        { cause: error }
      )
      this.#postQuietly({ type: "callback:failed", id, error: transferError(failure) })
    }
  }

  #postQuietly(message: MainMessage): void {
    try {
      this.#post(message)
    } catch {
      // The worker is gone; its engine already denied the request when it ended.
    }
  }

  #onExit(exitCode: number, failStart: (error: Error) => void): void {
    const previous = this.#state
    this.#state = "exited"
    for (const controller of this.#callbacks.values())
      controller.abort(new AuthenticatorError("the worker thread ended"))
    this.#callbacks.clear()
    const reason = new AuthenticatorError(
      `the worker thread ended (exit code ${exitCode})${this.#crash === undefined ? "" : `: ${this.#crash.message}`}`,
      this.#crash === undefined ? {} : { cause: this.#crash }
    )
    this.#configurations.rejectAll(
      () => new AuthenticatorError("the worker thread exited before applying the configuration", { cause: reason })
    )
    if (previous === "starting") {
      failStart(this.#startFailure ?? reason)
    } else if (previous === "stopping") {
      // A no-op once ready: only a stop() while starting gets here with `ready` unsettled.
      failStart(new AuthenticatorError("the worker thread was stopped before it was ready", { cause: reason }))
    } else if (previous === "running") {
      this.#hooks.exit(reason)
    }
    this.#markExited()
  }
}

/**
 * A shared flag that is 1 while this thread's metrics recorder is enabled, checked now and every
 * {@link METRICS_FLUSH_MS} until `stop()`: a worker measures nothing nobody records (an SDK
 * registered while it runs counts from the next check on).
 */
function followMetricsRecorder(): { flag: Int32Array; stop: () => void } {
  const flag = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT))
  const check = (): void => void Atomics.store(flag, 0, metricsRecorder().enabled ? 1 : 0)
  check()
  const timer = setInterval(check, METRICS_FLUSH_MS)
  timer.unref()
  return { flag, stop: () => clearInterval(timer) }
}
