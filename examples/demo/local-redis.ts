import { spawn, type ChildProcess } from "node:child_process"
import { once } from "node:events"
import { mkdir } from "node:fs/promises"
import { createServer } from "node:net"
import { withDeadline } from "./deadline.js"

/** `redis-server` is not on the PATH: the demo says how to get one and exits 2. */
export class RedisNotInstalledError extends Error {
  override readonly name = "RedisNotInstalledError"
  constructor() {
    super(
      "redis-server is not installed. Install it (apt-get install redis-server) " +
        "or point the demo at a Redis of yours: npm run demo -- --fleet --redis-url redis://host:6379"
    )
  }
}

/** A `redis-server` the demo started. */
export interface LocalRedis {
  readonly url: string
  readonly pid: number
  /** Stops the server (SIGTERM, then SIGKILL after 3 s); resolves once it exited. */
  stop(): Promise<void>
}

const READY_DEADLINE_MS = 10_000
const STOP_DEADLINE_MS = 3000

async function freeLoopbackPort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1")
  await once(server, "listening")
  const address = server.address()
  server.close()
  await once(server, "close")
  if (address === null || typeof address === "string") throw new Error("no TCP port")
  return address.port
}

/** Resolves once the server logs that it accepts connections; rejects when it exits first. */
function ready(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = ""
    child.stdout!.on("data", (chunk: Buffer) => {
      if (log.length < 64_000) log += chunk.toString("utf8")
      if (log.includes("Ready to accept connections")) resolve()
    })
    child.once("exit", (code) =>
      reject(new Error(`redis-server exited with ${String(code)}: ${log.trim().split("\n").slice(-3).join(" | ")}`))
    )
  })
}

/**
 * Starts `redis-server` on a free loopback port, without persistence, its working directory
 * `directory` (created); `signal` sends it SIGTERM. Throws {@link RedisNotInstalledError} when
 * it is not on the PATH.
 */
export async function startLocalRedis(directory: string, signal: AbortSignal): Promise<LocalRedis> {
  await mkdir(directory, { recursive: true })
  const port = await freeLoopbackPort()
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory],
    {
      stdio: ["ignore", "pipe", "inherit"],
      signal,
    }
  )
  const spawned = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    child.once("spawn", () => resolve(undefined))
    child.once("error", resolve)
  })
  if (spawned !== undefined) {
    if (spawned.code === "ENOENT") throw new RedisNotInstalledError()
    throw spawned
  }
  // After the spawn, an abort is reported as an error: the exit that follows is what counts.
  child.on("error", () => undefined)
  // Not events.once, which rejects on the error event an abort emits.
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill("SIGTERM")
    try {
      await withDeadline(exited, STOP_DEADLINE_MS, "redis-server exiting")
    } catch {
      child.kill("SIGKILL")
      await exited
    }
  }
  try {
    await withDeadline(ready(child), READY_DEADLINE_MS, `redis-server on port ${port} accepting connections`)
  } catch (error) {
    await stop()
    throw error
  }
  return { url: `redis://127.0.0.1:${port}`, pid: child.pid!, stop }
}
