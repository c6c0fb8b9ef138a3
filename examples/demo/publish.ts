import { setImmediate as nextTurn } from "node:timers/promises"
import type { Publisher } from "zeromq"
import type { DemoSubscriber } from "./subscriber.js"

/** How many messages were published, and how many of them before every subscriber was receiving. */
export interface PublishResult {
  warmUp: number
  published: number
}

const WARM_UP_LIMIT = 100_000

/**
 * Publishes numbered messages ("1", "2", ...). A PUB socket drops messages until a
 * subscription arrives, so it publishes one per event-loop turn until each subscriber received
 * one, then `count` more, and resolves once every subscriber received the last one.
 */
export async function publishNumbered(publisher: Publisher, subscribers: readonly DemoSubscriber[], count: number): Promise<PublishResult> {
  let number = 0
  let receiving = false
  void Promise.all(subscribers.map((subscriber) => subscriber.reached(1))).then(() => (receiving = true))
  while (!receiving) {
    if (number >= WARM_UP_LIMIT) throw new Error(`no message reached every subscriber after ${WARM_UP_LIMIT} messages`)
    await publisher.send(String(++number))
    await nextTurn()
  }
  const warmUp = number
  for (let sent = 0; sent < count; sent++) await publisher.send(String(++number))
  await Promise.all(subscribers.map((subscriber) => subscriber.reached(number)))
  return { warmUp, published: number }
}
