import { once } from "node:events"
import { createConnection, createServer, type Server, type Socket } from "node:net"

/**
 * What the proxy does to the bytes between a client and its upstream:
 * - `pass`: forwards them;
 * - `delay`: forwards each chunk `delayMs` late (order kept);
 * - `blackhole`: drops them silently, both ways, with both connections left open (half-open);
 * - `reset`: resets every connection (TCP RST), and each new one at once.
 */
export type ProxyMode = "pass" | "delay" | "blackhole" | "reset"

/** A TCP proxy on 127.0.0.1 that injects network faults. */
export interface FaultProxy {
  readonly port: number
  /** `redis://127.0.0.1:<port>` */
  readonly url: string
  /** Connections accepted so far. */
  readonly accepted: number
  setMode(mode: ProxyMode, delayMs?: number): void
  close(): Promise<void>
}

/** Starts a proxy to `upstreamPort` on 127.0.0.1, in `pass` mode. */
export async function startFaultProxy(upstreamPort: number): Promise<FaultProxy> {
  let mode: ProxyMode = "pass"
  let delayMs = 0
  let accepted = 0
  const pairs = new Set<[Socket, Socket]>()
  const forward = (from: Socket, to: Socket): void => {
    // Bytes delayed before a switch back to pass still go out first: order is kept.
    let releaseAt = 0
    from.on("data", (chunk: Buffer) => {
      if (mode === "blackhole" || mode === "reset") return
      const now = performance.now()
      releaseAt = Math.max(releaseAt, mode === "delay" ? now + delayMs : now)
      if (releaseAt <= now) to.write(chunk)
      else setTimeout(() => to.writable && to.write(chunk), releaseAt - now)
    })
  }
  const reset = (pair: [Socket, Socket]): void => {
    pairs.delete(pair)
    for (const socket of pair) socket.resetAndDestroy()
  }
  const server: Server = createServer((client) => {
    accepted++
    const upstream = createConnection({ host: "127.0.0.1", port: upstreamPort })
    const pair: [Socket, Socket] = [client, upstream]
    pairs.add(pair)
    if (mode === "reset") {
      upstream.on("connect", () => reset(pair))
      client.on("error", () => undefined)
      upstream.on("error", () => undefined)
      return
    }
    forward(client, upstream)
    forward(upstream, client)
    for (const socket of pair) {
      socket.on("error", () => undefined)
      socket.on("close", () => {
        pairs.delete(pair)
        for (const other of pair) other.destroy()
      })
    }
  })
  server.listen(0, "127.0.0.1")
  await once(server, "listening")
  const address = server.address()
  if (address === null || typeof address === "string") throw new Error("no TCP address")
  return {
    port: address.port,
    url: `redis://127.0.0.1:${address.port}`,
    get accepted() {
      return accepted
    },
    setMode(next, ms = 0) {
      mode = next
      delayMs = ms
      if (next === "reset") for (const pair of [...pairs]) reset(pair)
    },
    async close() {
      for (const pair of [...pairs]) for (const socket of pair) socket.destroy()
      pairs.clear()
      server.close()
      await once(server, "close")
    },
  }
}
