// The README's PLAIN quick start, runnable: one username and password, checked over a real handshake.
import { Dealer, Router } from "zeromq"
import { Authenticator, requireZap, ZapHandler } from "@zmq-auth/core"

const authenticator = new Authenticator().allow("127.0.0.1").configurePlain("*", { admin: "secret" })
authenticator.on("decision", ({ request, reply }) =>
  console.log(request.mechanism, request.address, reply.statusCode, reply.statusText)
)

await using handler = new ZapHandler(authenticator)
await handler.start()

const server = new Router({ plainServer: true, linger: 0 })
requireZap(server, "global")
await server.bind("tcp://127.0.0.1:*")

const client = new Dealer({ plainUsername: "admin", plainPassword: "secret", linger: 0 })
client.connect(server.lastEndpoint!)

await client.send("hello")
const [routingId, greeting] = await server.receive()
console.log(`server received ${JSON.stringify(greeting!.toString())}`)
await server.send([routingId!, "welcome"])
const [answer] = await client.receive()
console.log(`client received ${JSON.stringify(answer!.toString())}`)

client.close()
server.close()
