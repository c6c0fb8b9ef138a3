import type { DecisionEvent } from "@zmq-auth/core"
import { Observable } from "rxjs"
import type { ZapDecision } from "./zap-exchange.js"

/**
 * Anything that emits `decision` events: an `Authenticator`, a `ThreadAuthenticator`, or any
 * emitter with `on` and `off`.
 */
export interface DecisionSource<Decision extends ZapDecision = DecisionEvent> {
  /** Adds a `decision` listener. */
  on(event: "decision", listener: (decision: Decision) => void): unknown
  /** Removes a `decision` listener added with `on`. */
  off(event: "decision", listener: (decision: Decision) => void): unknown
}

/**
 * The `decision` events of `source` as a hot stream: each subscription adds a listener and its
 * teardown removes it. The stream never completes; the events carry no passwords.
 */
export function decisions(source: DecisionSource<DecisionEvent>): Observable<DecisionEvent>
/** The `decision` events of a source whose events have their own type (see the first overload). */
export function decisions<Decision extends ZapDecision>(source: DecisionSource<Decision>): Observable<Decision>
export function decisions<Decision extends ZapDecision>(source: DecisionSource<Decision>): Observable<Decision> {
  if (typeof source?.on !== "function" || typeof source.off !== "function") {
    throw new TypeError('source must have on("decision", listener) and off("decision", listener) methods')
  }
  return new Observable<Decision>((subscriber) => {
    const listener = (decision: Decision): void => subscriber.next(decision)
    source.on("decision", listener)
    return () => {
      source.off("decision", listener)
    }
  })
}
