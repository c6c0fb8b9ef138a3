import { Authenticator } from "@zmq-auth/core"
import { authenticate, decisions, zapRequests } from "@zmq-auth/rx"
import { filter, type Subscription } from "rxjs"

/** Serves `engine` on the ZAP endpoint and logs every denial (passwords are redacted). */
export function serveLoggingDenials(engine: Authenticator, log: (line: string) => void = console.warn): Subscription {
  const serving = zapRequests().pipe(authenticate(engine)).subscribe()
  serving.add(
    decisions(engine)
      .pipe(filter(({ reply }) => reply.statusCode !== 200))
      .subscribe(({ request, reply, elapsedMs }) => {
        const reason = `${reply.statusCode} ${reply.statusText}`
        log(`${request.mechanism} from ${request.address || "inproc"} denied: ${reason} (${elapsedMs.toFixed(1)} ms)`)
      })
  )
  return serving
}
