import { readdir } from "node:fs/promises"
import { tmpdir } from "node:os"
import { expect, it } from "vitest"
import { Router } from "zeromq"
import { nudgeUntil, socketEvents } from "./sockets.js"

// The nudge is what wakes an observer that left an event unread: it must make the socket report
// events while the wait lasts, stop once it is over, and leave no ipc file behind.
it("nudgeUntil makes the socket report a bind and an unbind per nudge until the wait settles", async () => {
  const socket = new Router({ linger: 0 })
  const events = socketEvents(socket)
  const seen: string[] = []
  let reportedTwice!: () => void
  const twice = new Promise<void>((resolve) => (reportedTwice = resolve))
  void (async () => {
    for await (const event of events) {
      seen.push(event.type)
      if (seen.filter((type) => type === "close").length === 2) reportedTwice()
    }
  })()
  let settle!: () => void
  const waited = new Promise<void>((resolve) => (settle = resolve))
  const nudging = nudgeUntil(socket, waited)
  await twice
  settle()
  const nudges = await nudging
  socket.close()
  expect(nudges).toBeGreaterThanOrEqual(2)
  expect(seen.slice(0, 4)).toEqual(["bind", "close", "bind", "close"])
  const left = (await readdir(tmpdir())).filter((name) => name.startsWith(`zmq-auth-nudge-${process.pid}-`))
  expect(left).toEqual([])
})

it("nudgeUntil does not nudge a wait that settles within its first interval", async () => {
  const socket = new Router({ linger: 0 })
  try {
    expect(await nudgeUntil(socket, Promise.resolve())).toBe(0)
  } finally {
    socket.close()
  }
})
