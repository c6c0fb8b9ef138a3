import { describe, expect, it } from "vitest"
import type { CredentialRevokedEvent } from "@zmq-auth/core"
import { attemptHandshake } from "../helpers/sockets.js"
import { threadKit } from "./thread-kit.js"

const STORE_MODULE = new URL("../fixtures/thread/store-module.mjs", import.meta.url)

describe("a credential store inside the worker", () => {
  const kit = threadKit()

  it("decides in the worker, forwards its events to the main thread, is closed when the worker stops", async () => {
    const authenticator = kit.create({ module: STORE_MODULE })
    const revoked: CredentialRevokedEvent[] = []
    const down: Error[] = []
    authenticator.on("credential:revoked", (event) => revoked.push(event))
    authenticator.on("store:down", (error) => down.push(error))
    await authenticator.start()
    const server = await kit.server({ mechanism: "PLAIN", domain: "fleet" })
    expect(await attemptHandshake(server, { mechanism: "PLAIN", username: "alice", password: "wonderland" })).toBe(
      "handshake"
    )
    expect(await attemptHandshake(server, { mechanism: "PLAIN", username: "revoked", password: "x" })).toBe(
      "handshake:error:auth"
    )
    await authenticator.stop()
    expect(revoked).toEqual([{ domain: "fleet", username: "revoked" }])
    expect(down.map((error) => error.message)).toEqual(["store closed"])
    expect(down[0]).toBeInstanceOf(Error)
  })
})
