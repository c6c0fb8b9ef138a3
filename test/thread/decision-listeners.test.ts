import { describe, expect, it } from "vitest"
import type { DecisionEvent } from "@zmq-auth/core"
import type { ThreadAuthenticator } from "@zmq-auth/thread"
import { attemptHandshake, type TestServer } from "../helpers/sockets.js"
import { threadKit } from "./thread-kit.js"

// The fixture's engine denies a handshake exactly while the worker reads "decisions wanted", so
// each handshake shows the flag as the worker sees it at that moment.
const module = new URL("../fixtures/thread/listening-module.mjs", import.meta.url)
const WANTED = "handshake:error:auth"
const NOT_WANTED = "handshake"

describe("ThreadAuthenticator tells the worker whether decision events are wanted", () => {
  const { create, server } = threadKit()

  async function started(): Promise<{ engine: ThreadAuthenticator; target: TestServer }> {
    const engine = create({ module })
    await engine.start()
    return { engine, target: await server({ mechanism: "NULL", domain: "global" }) }
  }
  const handshake = (target: TestServer) => attemptHandshake(target, { mechanism: "NULL" })
  const noop = (): void => undefined

  it("from on() until off(), and addListener() until removeListener()", async () => {
    const { engine, target } = await started()
    expect(await handshake(target)).toBe(NOT_WANTED)
    let heard!: (event: DecisionEvent) => void
    const first = new Promise<DecisionEvent>((resolve) => (heard = resolve))
    const listener = (event: DecisionEvent): void => heard(event)
    engine.on("decision", listener)
    expect(await handshake(target)).toBe(WANTED)
    expect((await first).reply.statusText).toBe("Decisions wanted")
    engine.off("decision", listener)
    expect(await handshake(target)).toBe(NOT_WANTED)
    engine.addListener("decision", listener)
    expect(await handshake(target)).toBe(WANTED)
    engine.removeListener("decision", listener)
    expect(await handshake(target)).toBe(NOT_WANTED)
  })

  it("from once() until its listener fired", async () => {
    const { engine, target } = await started()
    const fired = new Promise<DecisionEvent>((resolve) => engine.once("decision", resolve))
    expect(await handshake(target)).toBe(WANTED)
    expect((await fired).reply.statusCode).toBe(400)
    expect(await handshake(target)).toBe(NOT_WANTED)
  })

  it("until the last of several listeners is removed, by removeAllListeners() too", async () => {
    const { engine, target } = await started()
    const other = (): void => undefined
    engine.on("decision", noop).on("decision", other)
    engine.off("decision", noop)
    expect(await handshake(target)).toBe(WANTED)
    engine.removeAllListeners("decision")
    expect(await handshake(target)).toBe(NOT_WANTED)
    engine.on("decision", noop)
    engine.removeAllListeners()
    expect(await handshake(target)).toBe(NOT_WANTED)
  })

  it("not for listeners of other events", async () => {
    const { engine, target } = await started()
    engine.on("protocol:error", noop).once("reply:error", noop)
    expect(await handshake(target)).toBe(NOT_WANTED)
    engine.on("decision", noop)
    engine.off("protocol:error", noop)
    expect(await handshake(target)).toBe(WANTED)
  })

  it("for listeners added before start()", async () => {
    const engine = create({ module })
    engine.on("decision", noop)
    await engine.start()
    expect(await handshake(await server({ mechanism: "NULL", domain: "global" }))).toBe(WANTED)
  })
})
