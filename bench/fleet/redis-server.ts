import { spawn, spawnSync, type ChildProcess } from "node:child_process"
import { once } from "node:events"
import { mkdtemp, rm } from "node:fs/promises"
import { createConnection, createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"

/** A `redis-server` started for one benchmark. */
export interface BenchRedis {
  /** `redis://127.0.0.1:<port>` */
  url: string
  /** Sends `signal` to the server (`SIGSTOP`, `SIGCONT`). */
  signal(signal: NodeJS.Signals): void
  /** Stops the server and removes its directory. */
  stop(): Promise<void>
}

/** Whether Debian's `redis-server` can be run. */
export function redisServerInstalled(): boolean {
  return spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1")
  await once(server, "listening")
  const address = server.address()
  server.close()
  await once(server, "close")
  if (address === null || typeof address === "string") throw new Error("no TCP address")
  return address.port
}

/** Resolves once something accepts TCP connections on `port`. */
async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`)
    const socket = createConnection(port, "127.0.0.1")
    const connected = await new Promise<boolean>((resolve) => {
      socket.once("connect", () => resolve(true))
      socket.once("error", () => resolve(false))
    })
    socket.destroy()
    if (connected) return
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`redis-server on port ${port} did not accept connections`)
}

/** Starts `redis-server` on a free loopback port, without persistence, in a temporary directory. */
export async function startBenchRedis(): Promise<BenchRedis> {
  const port = await freePort()
  const dir = await mkdtemp(join(tmpdir(), "zmq-auth-bench-redis-"))
  const child = spawn(
    "redis-server",
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      dir,
      "--loglevel",
      "warning",
    ],
    {
      stdio: "ignore",
    }
  )
  await waitForPort(port, child)
  return {
    url: `redis://127.0.0.1:${port}`,
    signal: (signal) => void child.kill(signal),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, "exit")
        child.kill("SIGKILL")
        await exited
      }
      await rm(dir, { recursive: true, force: true })
    },
  }
}
