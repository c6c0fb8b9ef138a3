import { spawn, type ChildProcess } from "node:child_process"
import { mkdtemp, rm } from "node:fs/promises"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { once } from "node:events"

/** A `redis-server` process started for one test file. */
export interface RedisServer {
  readonly port: number
  /** `redis://127.0.0.1:<port>` */
  readonly url: string
  /** The process id of the running server (changes after `restart`). */
  readonly pid: number
  /** Sends `signal` to the server process (`SIGSTOP`, `SIGCONT`, ...). */
  signal(signal: NodeJS.Signals): void
  /** `kill -9`: the server dies without a word to its clients; resolves once it is gone. */
  kill(): Promise<void>
  /** Starts the server again on the same port (after `kill`); resolves once it accepts connections. */
  restart(): Promise<void>
  /** Runs one command with `redis-cli` and resolves with its output. */
  cli(...args: string[]): Promise<string>
  /** Stops the server and removes its directory. */
  stop(): Promise<void>
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, "127.0.0.1")
  await once(server, "listening")
  const address = server.address()
  server.close()
  await once(server, "close")
  if (address === null || typeof address === "string") throw new Error("no TCP address")
  return address.port
}

function run(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] })
    const out: Buffer[] = []
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk))
    child.stderr.on("data", (chunk: Buffer) => out.push(chunk))
    child.on("error", reject)
    child.on("close", (code) => {
      const text = Buffer.concat(out).toString("utf8").trim()
      if (code === 0) resolve(text)
      else reject(new Error(`${command} ${args.join(" ")} exited with ${String(code)}: ${text}`))
    })
  })
}

async function waitUntilReady(port: number, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`)
    try {
      if ((await run("redis-cli", ["-p", String(port), "PING"])) === "PONG") return
    } catch {
      // not accepting connections yet
    }
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`redis-server on port ${port} did not answer PING`)
}

/**
 * Starts Debian's `redis-server` on a free loopback port with no persistence, in a temporary
 * directory, with `DEBUG` allowed from local clients (or on `port`, with `extraArgs` added).
 * Throws naming the package when it is not installed.
 */
export async function startRedisServer(port?: number, extraArgs: readonly string[] = []): Promise<RedisServer> {
  try {
    await run("redis-server", ["--version"])
  } catch {
    throw new Error("redis-server is not installed: apt-get install redis-server (scripts/interop-peers.sh does it)")
  }
  const chosen = port
  port ??= await freePort()
  const dir = await mkdtemp(join(tmpdir(), "zmq-auth-redis-"))
  let child: ChildProcess
  const launch = async (): Promise<void> => {
    if (port === undefined) throw new Error("no port")
    child = spawn(
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
        "--enable-debug-command",
        "local",
        "--loglevel",
        "warning",
        ...extraArgs,
      ],
      { stdio: "ignore" }
    )
    await waitUntilReady(port, child)
  }
  for (let attempt = 1; ; attempt++) {
    try {
      await launch()
      break
    } catch (error) {
      // A port found free can be taken before redis-server binds it (other test files bind
      // ephemeral ports all the time): redis-server then exits at once, so pick another port.
      if (chosen !== undefined || attempt === 5 || child!.exitCode === null) throw error
      port = await freePort()
    }
  }
  const kill = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = once(child, "exit")
    child.kill("SIGKILL")
    await exited
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return child.pid ?? -1
    },
    signal: (signal) => void child.kill(signal),
    kill,
    restart: launch,
    cli: (...args) => run("redis-cli", ["-p", String(port), ...args]),
    async stop() {
      child.kill("SIGCONT")
      await kill()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
