// Quick start, CURVE: client keys accepted when their certificate is in a directory.
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { curveKeyPair, Dealer, Router } from "zeromq"
import { Authenticator, createCertificates, loadCertificate, requireZap, ZapHandler } from "@zmq-auth/core"

const directory = await mkdtemp(join(tmpdir(), "zmq-auth-quick-start-"))
try {
  const { secretFile } = await createCertificates(directory, "client", { name: "first client" })
  const clientCertificate = await loadCertificate(secretFile)

  const authenticator = new Authenticator()
  await authenticator.configureCurve("api", directory)
  authenticator.on("decision", ({ request, reply }) => console.log(`${request.mechanism} from ${request.address}: ${reply.statusCode} ${reply.statusText}`))
  const handler = new ZapHandler(authenticator)
  await handler.start()

  const serverKeys = curveKeyPair()
  const server = new Router({ curveServer: true, curveSecretKey: serverKeys.secretKey, linger: 0 })
  requireZap(server, "api")
  await server.bind("tcp://127.0.0.1:*")

  const client = new Dealer({
    curveServerKey: serverKeys.publicKey,
    curvePublicKey: clientCertificate.publicKey,
    curveSecretKey: clientCertificate.secretKey!,
    linger: 0,
  })
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
} finally {
  await rm(directory, { recursive: true, force: true })
}
