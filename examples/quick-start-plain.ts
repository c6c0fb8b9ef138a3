// Quick start, PLAIN: usernames and passwords checked by zmq-auth's ZAP handler.
import { Dealer, Router } from "zeromq"
import { Authenticator, requireZap, ZapHandler } from "@zmq-auth/core"

const authenticator = new Authenticator().configurePlain("api", { admin: "correct horse battery staple" })
authenticator.on("decision", ({ request, reply }) => console.log(`${request.mechanism} from ${request.address}: ${reply.statusCode} ${reply.statusText}`))
const handler = new ZapHandler(authenticator)
await handler.start()

const server = new Router({ plainServer: true, linger: 0 })
requireZap(server, "api")
await server.bind("tcp://127.0.0.1:*")

const client = new Dealer({ plainUsername: "admin", plainPassword: "correct horse battery staple", linger: 0 })
client.connect(server.lastEndpoint!)
await client.send("hello")

const [routingId, message] = await server.receive()
console.log(`server received ${JSON.stringify(message!.toString())}`)
await server.send([routingId!, "welcome"])
const [answer] = await client.receive()
console.log(`client received ${JSON.stringify(answer!.toString())}`)

client.close()
server.close()
await handler.stop()
