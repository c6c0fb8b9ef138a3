import { describe, expect, it } from "vitest"
import { Context, Dealer } from "zeromq"
import { bindSocket, closeSocket, isWakeMessage, wake } from "../../packages/core/src/handler/bound-socket.js"

describe("isWakeMessage", () => {
  it("tells the waker's message from a peer's, including a peer whose routing id is as long", async () => {
    const context = new Context()
    const bound = bindSocket(context, "inproc://wake-message-test")
    const peer = new Dealer({ context, linger: 0 })
    const lookalike = new Dealer({ context, linger: 0, routingId: "zmq-auth-wakf-0123456789abcdef" })
    try {
      peer.connect(bound.address)
      lookalike.connect(bound.address)
      await peer.send([Buffer.alloc(0), Buffer.from("1.0")])
      await lookalike.send([Buffer.alloc(0), Buffer.from("1.0")])
      await wake(bound)
      const received = [await bound.router.receive(), await bound.router.receive(), await bound.router.receive()]
      expect(received.map(isWakeMessage).filter(Boolean)).toHaveLength(1)
      const woken = received.find(isWakeMessage)!
      expect(woken[0]!.toString("latin1")).toMatch(/^zmq-auth-wake-[0-9a-f]{16}$/)
      expect(isWakeMessage([])).toBe(false)
    } finally {
      peer.close()
      lookalike.close()
      closeSocket(bound)
    }
  })
})
