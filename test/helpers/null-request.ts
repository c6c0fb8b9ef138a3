import type { Authenticator } from "@zmq-auth/core"

/** The status text `engine` gives a NULL request of domain "d" from `address`, as a handler would pass it. */
export async function decideNullFrom(engine: Authenticator, address: string): Promise<string> {
  const reply = await engine.authenticate({
    version: "1.0",
    requestId: Buffer.from("1"),
    domain: "d",
    address,
    identity: Buffer.alloc(0),
    mechanism: "NULL",
    credentials: [],
  })
  return reply.statusText
}
