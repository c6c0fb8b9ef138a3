import { context, Dealer } from "zeromq"
import type { KeyPair, MechanismName } from "./credentials.js"

/** What the client side of a handshake run does; plain data, so it can cross to a child process. */
export interface ClientWorkload {
  /** The server's tcp endpoint on 127.0.0.1. */
  endpoint: string
  mechanism: MechanismName
  /** Handshakes to complete (at most, when `durationMs` is set). */
  count: number
  /**
   * Time box: no handshake starts once this many milliseconds have passed since the run began;
   * those in flight finish. Two runs started together then share the machine for all their time.
   */
  durationMs?: number
  /** Clients connecting at once. */
  concurrency: number
  /** PLAIN credentials, used round robin. */
  plainUsers: Array<[username: string, password: string]>
  /** CURVE client keys, used round robin. */
  clientKeys: KeyPair[]
  /** The server's CURVE public key. */
  serverPublicKey: string
  /** A handshake not done after this many milliseconds counts as failed. */
  timeoutMs: number
  /**
   * Open loop: start a handshake every this many milliseconds, whatever the server's pace (at
   * most `concurrency` in flight), so a stalled server delays every arrival of the stall as it
   * would with independent clients. Default: closed loop, `concurrency` clients back to back.
   */
  arrivalIntervalMs?: number
}

/** The outcome of a handshake run. */
export interface HandshakeRun {
  /** Wall time from the first connect to the last handshake. */
  elapsedMs: number
  /** Time from connect to the `handshake` event, per successful client. */
  latenciesMs: number[]
  /** Handshakes that failed or timed out. */
  failures: number
}

/**
 * Raises the global context's socket limit (ZMQ_MAX_SOCKETS, default 1023). Every client has a
 * DEALER plus the monitor sockets of its event observer, which zeromq.js releases only when
 * they are garbage collected: a long run can otherwise fail with EMFILE. Call before the
 * first socket is created.
 */
export function allowManySockets(): void {
  context.maxSockets = 16_384
}

/** Successful handshakes per second of a run. */
export function handshakeRate(run: HandshakeRun): number {
  return (run.latenciesMs.length * 1000) / run.elapsedMs
}

function createClient(workload: ClientWorkload, index: number): Dealer {
  const client = new Dealer({ linger: 0 })
  if (workload.mechanism === "PLAIN") {
    const [username, password] = workload.plainUsers[index % workload.plainUsers.length]!
    client.plainUsername = username
    client.plainPassword = password
  } else if (workload.mechanism === "CURVE") {
    const keys = workload.clientKeys[index % workload.clientKeys.length]!
    client.curveServerKey = workload.serverPublicKey
    client.curvePublicKey = keys.publicKey
    client.curveSecretKey = keys.secretKey
  }
  return client
}

/** Connects one client and resolves with the milliseconds until its handshake succeeded, or undefined. */
function startHandshake(workload: ClientWorkload, index: number): Promise<number | undefined> {
  const client = createClient(workload, index)
  try {
    return new Promise((resolve) => {
      const started = performance.now()
      const finish = (latencyMs: number | undefined): void => {
        clearTimeout(guard)
        client.close()
        resolve(latencyMs)
      }
      const guard = setTimeout(() => finish(undefined), workload.timeoutMs)
      client.events.on("handshake", () => finish(performance.now() - started))
      client.events.on("handshake:error:auth", () => finish(undefined))
      client.events.on("handshake:error:protocol", () => finish(undefined))
      client.events.on("handshake:error:other", () => finish(undefined))
      client.connect(workload.endpoint)
    })
  } catch (error) {
    client.close()
    throw error
  }
}

/**
 * {@link startHandshake}, again when a signal (such as the CPU profiler's) interrupts a system
 * call, or when the monitor endpoint of the interrupted attempt's socket is not released yet.
 */
async function handshakeOnce(workload: ClientWorkload, index: number): Promise<number | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startHandshake(workload, index)
    } catch (error) {
      const code = (error as { code?: string }).code
      if ((code !== "EINTR" && code !== "EADDRINUSE") || attempt >= 10) throw error
    }
  }
}

/**
 * Runs `count` handshakes against the server, at most `concurrency` at once: each client
 * connects over tcp, waits for its socket's `handshake` event and closes.
 */
export async function runHandshakes(workload: ClientWorkload): Promise<HandshakeRun> {
  if (workload.arrivalIntervalMs !== undefined) return runPacedHandshakes(workload, workload.arrivalIntervalMs)
  const latenciesMs: number[] = []
  let failures = 0
  let next = 0
  const started = performance.now()
  const deadline = started + (workload.durationMs ?? Infinity)
  async function lane(): Promise<void> {
    while (next < workload.count && performance.now() < deadline) {
      const latencyMs = await handshakeOnce(workload, next++)
      if (latencyMs === undefined) failures++
      else latenciesMs.push(latencyMs)
    }
  }
  await Promise.all(Array.from({ length: Math.min(workload.concurrency, workload.count) }, lane))
  return { elapsedMs: performance.now() - started, latenciesMs, failures }
}

/**
 * Starts handshake `index` at `index * intervalMs` after the run began (later only while
 * `concurrency` are in flight); the latency of each counts from its own connect.
 */
async function runPacedHandshakes(workload: ClientWorkload, intervalMs: number): Promise<HandshakeRun> {
  const latenciesMs: number[] = []
  let failures = 0
  const inFlight = new Set<Promise<void>>()
  const started = performance.now()
  for (let index = 0; index < workload.count; index++) {
    const due = started + index * intervalMs - performance.now()
    if (due > 0) await new Promise((resolve) => setTimeout(resolve, due))
    while (inFlight.size >= workload.concurrency) await Promise.race(inFlight)
    const handshake: Promise<void> = handshakeOnce(workload, index).then((latencyMs) => {
      inFlight.delete(handshake)
      if (latencyMs === undefined) failures++
      else latenciesMs.push(latencyMs)
    })
    inFlight.add(handshake)
  }
  await Promise.all(inFlight)
  return { elapsedMs: performance.now() - started, latenciesMs, failures }
}
