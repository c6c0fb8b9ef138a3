// The README's CURVE quick start, runnable: client keys accepted when their certificate is in a directory.
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { curveKeyPair, Dealer, Router } from "zeromq"
import { Authenticator, createCertificates, loadCertificate, requireZap, ZapHandler } from "@zmq-auth/core"

const certificates = await mkdtemp(join(tmpdir(), "zmq-auth-quick-start-"))
try {
  // Client certificates in a directory, in the pyzmq / CZMQ file format
  const { secretFile } = await createCertificates(certificates, "client", { name: "client one" })
  const client = await loadCertificate(secretFile)

  const authenticator = new Authenticator()
  await authenticator.configureCurve("*", certificates)
  authenticator.on("decision", ({ request, reply }) =>
    console.log(request.mechanism, request.address, reply.statusCode, reply.statusText)
  )

  await using handler = new ZapHandler(authenticator)
  await handler.start()

  const serverKeys = curveKeyPair()
  const server = new Router({ curveServer: true, curveSecretKey: serverKeys.secretKey, linger: 0 })
  requireZap(server, "global")
  await server.bind("tcp://127.0.0.1:*")

  const socket = new Dealer({
    curveServerKey: serverKeys.publicKey,
    curvePublicKey: client.publicKey,
    curveSecretKey: client.secretKey!,
    linger: 0,
  })
  socket.connect(server.lastEndpoint!)

  await socket.send("hello")
  const [routingId, greeting] = await server.receive()
  console.log(`server received ${JSON.stringify(greeting!.toString())}`)
  await server.send([routingId!, "welcome"])
  const [answer] = await socket.receive()
  console.log(`client received ${JSON.stringify(answer!.toString())}`)

  socket.close()
  server.close()
} finally {
  await rm(certificates, { recursive: true, force: true })
}
