import { setImmediate as nextTurn } from "node:timers/promises"
import type { Publisher } from "zeromq"
import type { DemoSubscriber } from "./subscriber.js"

/** How many messages were published, and how many of them before every subscriber was receiving. */
export interface PublishResult {
  warmUp: number
  published: number
}

const WARM_UP_LIMIT = 10_000
const MAXIMUM_TURNS_BETWEEN_MESSAGES = 1024

/**
 * Publishes numbered messages ("1", "2", ...). A PUB socket drops messages for a subscriber
 * whose subscription has not arrived yet, so it first publishes until each subscriber received
 * one: until anybody receives, again after 1, 2, 4, ... (at most 1024) event-loop turns, which
 * keeps the count low while libzmq's I/O thread is busy; once someone receives, again after
 * each receipt (a subscribed subscriber keeps receiving). Then it publishes `count` more and
 * resolves once every subscriber received the last one.
 */
export async function publishNumbered(
  publisher: Publisher,
  subscribers: readonly DemoSubscriber[],
  count: number
): Promise<PublishResult> {
  let number = 0
  let turns = 1
  while (!subscribers.every((subscriber) => subscriber.received > 0)) {
    if (number >= WARM_UP_LIMIT) throw new Error(`no message reached every subscriber after ${WARM_UP_LIMIT} messages`)
    const someoneReceiving = subscribers.some((subscriber) => subscriber.received > 0)
    // Reading the socket's events makes libzmq take in subscriptions that arrived meanwhile.
    if (!publisher.writable) throw new Error("the publisher cannot send")
    await publisher.send(String(++number))
    const receivedByAnyone = Promise.race(subscribers.map((subscriber) => subscriber.reached(number)))
    await (someoneReceiving ? receivedByAnyone : Promise.race([receivedByAnyone, eventLoopTurns(turns)]))
    turns = Math.min(turns * 2, MAXIMUM_TURNS_BETWEEN_MESSAGES)
  }
  const warmUp = number
  for (let sent = 0; sent < count; sent++) await publisher.send(String(++number))
  await Promise.all(subscribers.map((subscriber) => subscriber.reached(number)))
  return { warmUp, published: number }
}

async function eventLoopTurns(count: number): Promise<void> {
  for (let turn = 0; turn < count; turn++) await nextTurn()
}
