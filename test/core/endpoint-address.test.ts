import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { Authenticator, ZapHandler } from "@zmq-auth/core"
import { ThreadAuthenticator } from "@zmq-auth/thread"
import { zapRequests } from "@zmq-auth/rx"
import { checkEndpointAddress } from "../../packages/core/src/handler/endpoint-address.js"
import { sendZapFrames, zapFrames } from "../helpers/sockets.js"

const WILDCARDS = [
  "ipc://*",
  "tcp://127.0.0.1:*",
  "tcp://127.0.0.1:0",
  "tcp://*:5555",
  "tcp://[::1]:*",
  "ws://127.0.0.1:0/zap",
  "ws://*:5555/zap",
  "wss://127.0.0.1:*/zap",
  "tcp://*",
]
const CONCRETE = [
  "inproc://zeromq.zap.01",
  "inproc://a*b",
  "ipc:///tmp/zap.sock",
  "tcp://127.0.0.1:5555",
  "tcp://[::1]:5555",
  "ws://127.0.0.1:5555/*",
  "tcp://127.0.0.1:10",
  "wss://127.0.0.1:5555/zap",
  "tcp://localhost",
  // No port, no transport: nothing for bind() to choose (libzmq refuses these when binding).
  "tcp://0",
  "zeromq.zap.01",
  "ws*",
  // An inproc name is taken literally, whatever it looks like.
  "inproc://zap:0",
  "inproc://*:5555",
]

describe("ZAP endpoint addresses", () => {
  it("refuses a wildcard that bind() would resolve, naming it, and takes concrete addresses", () => {
    for (const endpoint of WILDCARDS) {
      expect(() => checkEndpointAddress(endpoint), endpoint).toThrow(
        new TypeError(
          "endpoint must name one address, not a wildcard for bind() to resolve (ipc://*, a * host, port * or 0), " +
            `got ${JSON.stringify(endpoint)}`
        )
      )
    }
    for (const endpoint of CONCRETE) expect(() => checkEndpointAddress(endpoint), endpoint).not.toThrow()
    for (const endpoint of ["", 7, undefined])
      expect(() => checkEndpointAddress(endpoint)).toThrow(new TypeError("endpoint must be a non-empty string"))
  })

  // Before the check, ipc://* and port 0 started and then never stopped: the handler's waker
  // connected to the wildcard, not to the address bind() chose.
  it("is checked by every adapter before anything is bound", () => {
    const engine = new Authenticator()
    for (const endpoint of ["ipc://*", "tcp://127.0.0.1:0"]) {
      expect(() => new ZapHandler(engine, { endpoint })).toThrow(/not a wildcard/)
      expect(() => new ThreadAuthenticator({ endpoint })).toThrow(/not a wildcard/)
      expect(() => zapRequests({ endpoint })).toThrow(/not a wildcard/)
    }
  })

  it("serves a concrete ipc address and stops", async () => {
    const directory = await mkdtemp(join(tmpdir(), "zmq-auth-endpoint-"))
    const endpoint = `ipc://${join(directory, "zap")}`
    const handler = new ZapHandler(new Authenticator(), { endpoint })
    try {
      await handler.start()
      const [, , statusCode] = await sendZapFrames(zapFrames({ mechanism: "NULL" }), endpoint)
      expect(statusCode?.toString()).toBe("200")
    } finally {
      await handler.stop()
      await rm(directory, { recursive: true, force: true })
    }
    expect(handler.running).toBe(false)
  })
})
