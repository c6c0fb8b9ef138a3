import { zapEndpointReleased, zapRequests } from "@zmq-auth/rx"
import type { Subscription } from "rxjs"

/** Decides by hand, without an engine: NULL clients on the loopback interface only. */
export function serveLoopbackOnly(): Subscription {
  return zapRequests().subscribe((exchange) => {
    const { mechanism, address } = exchange.request
    if (mechanism === "NULL" && (address === "127.0.0.1" || address === "::1")) {
      exchange.reply({ statusCode: 200, statusText: "OK", userId: "loopback" })
    } else {
      exchange.reply({ statusCode: 400, statusText: "Loopback NULL clients only", userId: "" })
    }
  })
}

/** Stops serving; resolves once the ZAP endpoint can be bound again. */
export async function stopServing(subscription: Subscription): Promise<void> {
  subscription.unsubscribe()
  await zapEndpointReleased()
}
