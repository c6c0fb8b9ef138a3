// OpenTelemetry metrics of zmq-auth, exported for Prometheus: a PLAIN and a CURVE server take a
// few allowed and denied clients, then the metrics wait at http://127.0.0.1:9464/metrics for
// `curl` (METRICS_PORT changes the port). With --once the example scrapes itself, prints the
// zmq_auth series and exits.
import { metrics } from "@opentelemetry/api"
import { PrometheusExporter } from "@opentelemetry/exporter-prometheus"
import { MeterProvider } from "@opentelemetry/sdk-metrics"
import { curveKeyPair, Dealer, Router, type Socket } from "zeromq"
import { Authenticator, requireZap, ZapHandler } from "@zmq-auth/core"

// The application registers the SDK; zmq-auth only uses @opentelemetry/api and records into it.
const port = Number(process.env["METRICS_PORT"] ?? 9464)
const exporter = new PrometheusExporter({ host: "127.0.0.1", port, preventServerStart: true })
await exporter.startServer()
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [exporter] }))

const trusted = curveKeyPair()
const authenticator = new Authenticator()
  .configurePlain("app", { alice: "secret" })
  .configureCurveKeys("api", [trusted.publicKey])
const handler = new ZapHandler(authenticator)
await handler.start()

const plainServer = new Router({ plainServer: true, linger: 0 })
requireZap(plainServer, "app")
await plainServer.bind("tcp://127.0.0.1:*")
const serverKeys = curveKeyPair()
const curveServer = new Router({ curveServer: true, curveSecretKey: serverKeys.secretKey, linger: 0 })
requireZap(curveServer, "api")
await curveServer.bind("tcp://127.0.0.1:*")

/** Connects `client` to `endpoint` and resolves with whether its handshake succeeded. */
function handshake(client: Socket, endpoint: string): Promise<boolean> {
  return new Promise((resolve) => {
    client.events.on("handshake", () => resolve(true))
    client.events.on("handshake:error:auth", () => resolve(false))
    client.connect(endpoint)
  }).finally(() => client.close()) as Promise<boolean>
}

const outcomes: boolean[] = []
for (const password of ["secret", "secret", "secret", "guess", "guess2"]) {
  const client = new Dealer({ plainUsername: "alice", plainPassword: password, reconnectInterval: -1, linger: 0 })
  outcomes.push(await handshake(client, plainServer.lastEndpoint!))
}
for (const keys of [trusted, trusted, curveKeyPair()]) {
  const client = new Dealer({
    curveServerKey: serverKeys.publicKey,
    curvePublicKey: keys.publicKey,
    curveSecretKey: keys.secretKey,
    reconnectInterval: -1,
    linger: 0,
  })
  outcomes.push(await handshake(client, curveServer.lastEndpoint!))
}
console.log(
  `${outcomes.filter(Boolean).length} clients allowed, ${outcomes.filter((allowed) => !allowed).length} denied`
)

const url = `http://127.0.0.1:${port}/metrics`
if (process.argv.includes("--once")) {
  const scrape = await (await fetch(url)).text()
  console.log(
    scrape
      .split("\n")
      .filter((line) => line.includes("zmq_auth"))
      .join("\n")
  )
  await shutdown()
} else {
  console.log(`Prometheus metrics: curl ${url}   (Ctrl-C to stop)`)
  process.once("SIGINT", () => void shutdown())
}

async function shutdown(): Promise<void> {
  plainServer.close()
  curveServer.close()
  await handler.stop()
  await exporter.shutdown()
}
