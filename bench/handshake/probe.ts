import { Dealer } from "zeromq"
import { startServer } from "./server.js"
import type { KeyPair } from "./credentials.js"

function nullHandshake(endpoint: string, timeoutMs: number): Promise<boolean> {
  const client = new Dealer({ linger: 0 })
  return new Promise((resolve) => {
    const finish = (succeeded: boolean): void => {
      clearTimeout(guard)
      client.close()
      resolve(succeeded)
    }
    const guard = setTimeout(() => finish(false), timeoutMs)
    client.events.on("handshake", () => finish(true))
    client.events.on("handshake:error:auth", () => finish(false))
    client.events.on("handshake:error:other", () => finish(false))
    client.connect(endpoint)
  })
}

/**
 * Resolves once some ZAP handler answers: a NULL client handshakes with a server hardened by
 * `requireZap` (which fails closed without a handler) until it succeeds. For adapters whose
 * start has no completion signal. Rejects after `timeoutMs`.
 */
export async function waitForZapHandler(serverKeys: KeyPair, timeoutMs = 5000): Promise<void> {
  const server = await startServer("NULL", true, serverKeys)
  try {
    const deadline = performance.now() + timeoutMs
    while (!(await nullHandshake(server.endpoint, 250))) {
      if (performance.now() > deadline) throw new Error(`no ZAP handler answered within ${timeoutMs} ms`)
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  } finally {
    server.close()
  }
}
