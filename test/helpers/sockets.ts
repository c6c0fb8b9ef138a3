import { rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { curveKeyPair, Dealer, Router, type Observer, type Socket } from "zeromq"
import { requireZap, ZAP_ENDPOINT } from "@zmq-auth/core"

/** How a client's handshake ended, as its socket reported it. */
export type HandshakeOutcome =
  "handshake" | "handshake:error:auth" | "handshake:error:protocol" | "handshake:error:other"

const OUTCOMES = new Set<string>([
  "handshake",
  "handshake:error:auth",
  "handshake:error:protocol",
  "handshake:error:other",
])

/** A server socket's security set-up. */
export type ServerSpec =
  | { mechanism: "NULL"; domain?: string }
  | { mechanism: "PLAIN"; domain?: string }
  | { mechanism: "CURVE"; domain?: string }

/** A client's credentials. */
export type ClientSpec =
  | { mechanism: "NULL" }
  | { mechanism: "PLAIN"; username: string; password: string }
  | { mechanism: "CURVE"; publicKey: string; secretKey: string; serverKey?: string }

/** A bound server socket. */
export interface TestServer {
  socket: Router
  endpoint: string
  /** The server's CURVE public key (CURVE servers only). */
  publicKey?: string
  /** Every handshake outcome the server reported, in order. */
  outcomes: HandshakeOutcome[]
  /** Handshakes attempted so far: attempt N owns the server's outcome N. */
  attempts: number
  /** Resolves with the server's outcome number `index` (0-based) once it is reported. */
  outcome(index: number): Promise<HandshakeOutcome>
  close(): void
}

/** Every observer made in this process: see {@link socketEvents}. */
const observers: Observer[] = []

/**
 * `socket.events`, kept alive until the process ends (a closed socket drops its observer).
 * zeromq names a socket's monitor endpoint after the address of its observer, and libzmq unbinds
 * that endpoint only once its reaper thread has closed the socket: an observer freed by the
 * garbage collector before that lets a new one take its address, and creating it fails with
 * "Address already in use". Kept observers are never freed, so their addresses are never reused.
 * An observer closes itself once it has read that its socket closed; one that stops reading
 * earlier must be closed.
 */
export function socketEvents(socket: Socket): Observer {
  const events = socket.events
  observers.push(events)
  return events
}

function watchOutcomes(socket: Socket): Pick<TestServer, "outcomes" | "outcome" | "attempts"> {
  const outcomes: HandshakeOutcome[] = []
  const waiters = new Map<number, Array<(outcome: HandshakeOutcome) => void>>()
  void (async () => {
    for await (const event of socketEvents(socket)) {
      if (!OUTCOMES.has(event.type)) continue
      outcomes.push(event.type as HandshakeOutcome)
      const index = outcomes.length - 1
      for (const waiter of waiters.get(index) ?? []) waiter(outcomes[index]!)
      waiters.delete(index)
    }
  })().catch(() => undefined)
  return {
    outcomes,
    attempts: 0,
    outcome(index) {
      const known = outcomes[index]
      if (known !== undefined) return Promise.resolve(known)
      return new Promise((resolve) => waiters.set(index, [...(waiters.get(index) ?? []), resolve]))
    },
  }
}

/**
 * Binds a ROUTER server on tcp 127.0.0.1 (ephemeral port). With a `domain` it is hardened with
 * `requireZap` (fails closed when no handler is bound); without one its ZAP domain is empty.
 */
export async function startServer(spec: ServerSpec): Promise<TestServer> {
  const socket = new Router({ linger: 0 })
  let publicKey: string | undefined
  if (spec.mechanism === "PLAIN") socket.plainServer = true
  if (spec.mechanism === "CURVE") {
    const keys = curveKeyPair()
    socket.curveServer = true
    socket.curveSecretKey = keys.secretKey
    publicKey = keys.publicKey
  }
  if (spec.domain !== undefined) requireZap(socket, spec.domain)
  await socket.bind("tcp://127.0.0.1:*")
  const server: TestServer = {
    socket,
    endpoint: socket.lastEndpoint!,
    ...watchOutcomes(socket),
    close: () => socket.close(),
  }
  if (publicKey !== undefined) server.publicKey = publicKey
  return server
}

/** How long a wait for a monitor event lasts before the socket is made to report another one. */
const NUDGE_MS = 500
/** Nudges made by this process: each binds an ipc path of its own. */
let nudgeCount = 0

/**
 * Resolves once `reported` settles, with the number of nudges it took. zeromq.js's observer can
 * leave a monitor event unread until the socket reports another one: under load a client waited
 * 10 s for an outcome its server had already reported, and it came at once when a second client
 * connected. So every {@link NUDGE_MS} while `reported` is pending, `socket` binds and unbinds a
 * spare ipc address, which it reports. A closed socket is not nudged.
 */
export async function nudgeUntil(
  socket: Socket,
  reported: Promise<unknown>,
  onNudge: () => void = () => undefined
): Promise<number> {
  let done = false
  const settled = reported.then(
    () => (done = true),
    () => (done = true)
  )
  let nudges = 0
  for (;;) {
    let timer: NodeJS.Timeout | undefined
    await Promise.race([settled, new Promise((resolve) => (timer = setTimeout(resolve, NUDGE_MS)))])
    clearTimeout(timer)
    if (done || socket.closed) return nudges
    nudges++
    onNudge()
    // An ipc path of its own: a tcp port could be one that a client of another test still dials.
    const path = join(tmpdir(), `zmq-auth-nudge-${process.pid}-${nudgeCount++}`)
    try {
      await socket.bind(`ipc://${path}`)
      await socket.unbind(`ipc://${path}`)
    } catch {
      // Closed meanwhile: nothing left to wake.
      return nudges
    } finally {
      await rm(path, { force: true })
    }
  }
}

/**
 * Resolves with the first handshake outcome `socket` reports, nudging its observer (see
 * {@link nudgeUntil}); rejects after `guardMs`, naming how many nudges did not help.
 */
export function awaitHandshake(socket: Socket, guardMs = 10_000): Promise<HandshakeOutcome> {
  let nudges = 0
  const outcome = new Promise<HandshakeOutcome>((resolve, reject) => {
    const guard = setTimeout(
      () => reject(new Error(`no handshake outcome within ${guardMs} ms (${nudges} nudges of its observer)`)),
      guardMs
    )
    void (async () => {
      const events = socketEvents(socket)
      for await (const event of events) {
        if (OUTCOMES.has(event.type)) {
          clearTimeout(guard)
          resolve(event.type as HandshakeOutcome)
          // Read no further: closing the observer frees its socket (a kept observer is never
          // collected, and an unread one would stay open).
          events.close()
          return
        }
      }
      clearTimeout(guard)
      reject(new Error("socket closed before reporting a handshake outcome"))
    })().catch(reject)
  })
  void nudgeUntil(socket, outcome, () => nudges++)
  return outcome
}

/** Creates a client socket with the credentials of `spec` (not yet connected). */
export function createClient(spec: ClientSpec, server: Pick<TestServer, "publicKey">): Dealer {
  // One attempt per client: a denied client that reconnected would send a second ZAP request.
  const client = new Dealer({ linger: 0, reconnectInterval: -1 })
  if (spec.mechanism === "PLAIN") {
    client.plainUsername = spec.username
    client.plainPassword = spec.password
  } else if (spec.mechanism === "CURVE") {
    client.curveServerKey = spec.serverKey ?? server.publicKey ?? null
    client.curvePublicKey = spec.publicKey
    client.curveSecretKey = spec.secretKey
  }
  return client
}

/**
 * Connects a client with `spec` to `server` and resolves with how its first handshake ended, as
 * the client or the server reports it first (a server that fails closed may close the connection
 * without the client seeing any handshake event). One attempt per server at a time; the server's
 * outcomes are matched to attempts in order, so a late report of an earlier attempt is not taken
 * for this one.
 */
export async function attemptHandshake(server: TestServer, spec: ClientSpec): Promise<HandshakeOutcome> {
  const client = createClient(spec, server)
  try {
    const outcome = Promise.race([awaitHandshake(client), server.outcome(server.attempts++)])
    // The client may see no outcome at all: the server's report must not stay unread either.
    void nudgeUntil(server.socket, outcome)
    client.connect(server.endpoint)
    return await outcome
  } finally {
    client.close()
  }
}

/**
 * Sends raw ZAP frames to the handler bound at `endpoint` (default the ZAP endpoint of the global
 * context) from a DEALER, and resolves with the reply frames.
 */
export async function sendZapFrames(frames: Buffer[], endpoint = ZAP_ENDPOINT): Promise<Buffer[]> {
  const dealer = new Dealer({ linger: 0, receiveTimeout: 10_000 })
  try {
    dealer.connect(endpoint)
    await dealer.send([Buffer.alloc(0), ...frames])
    const [, ...reply] = await dealer.receive()
    return reply
  } finally {
    dealer.close()
  }
}

/** The frames of a ZAP request (RFC 27), strings encoded as UTF-8. */
export function zapFrames(fields: {
  version?: string
  requestId?: string
  domain?: string
  address?: string
  identity?: string
  mechanism: string
  credentials?: Array<string | Buffer>
}): Buffer[] {
  return [
    fields.version ?? "1.0",
    fields.requestId ?? "1",
    fields.domain ?? "",
    fields.address ?? "127.0.0.1",
    fields.identity ?? "",
    fields.mechanism,
    ...(fields.credentials ?? []),
  ].map((value) => (typeof value === "string" ? Buffer.from(value) : value))
}

/** A fresh CURVE client key pair. */
export const newClientKeys = curveKeyPair
