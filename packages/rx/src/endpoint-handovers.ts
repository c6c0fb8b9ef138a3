import type { Context, Router } from "zeromq"

/** A subscription waiting for an earlier one to release its endpoint, ready to take its socket instead. */
export interface Successor {
  /** Takes over `socket`, still bound at the endpoint, and serves it from now on. */
  adopt(socket: Router): void
}

const successors = new Map<Context, Map<string, Successor[]>>()

/**
 * Registers `successor` for the bound socket of `endpoint` in `context`, should the subscription
 * releasing it hand it over. Returns the function that withdraws it (idempotent).
 */
export function awaitHandover(context: Context, endpoint: string, successor: Successor): () => void {
  let endpoints = successors.get(context)
  if (endpoints === undefined) {
    endpoints = new Map()
    successors.set(context, endpoints)
  }
  const waiting = endpoints.get(endpoint) ?? []
  waiting.push(successor)
  endpoints.set(endpoint, waiting)
  return () => remove(context, endpoint, successor)
}

/** Whether a subscription is waiting to take over `endpoint` in `context`. */
export function successorWaiting(context: Context, endpoint: string): boolean {
  return (successors.get(context)?.get(endpoint)?.length ?? 0) > 0
}

/** Withdraws and returns the first subscription waiting to take over `endpoint` in `context`. */
export function takeSuccessor(context: Context, endpoint: string): Successor | undefined {
  const successor = successors.get(context)?.get(endpoint)?.[0]
  if (successor !== undefined) remove(context, endpoint, successor)
  return successor
}

function remove(context: Context, endpoint: string, successor: Successor): void {
  const endpoints = successors.get(context)
  const waiting = endpoints?.get(endpoint)
  if (endpoints === undefined || waiting === undefined) return
  const index = waiting.indexOf(successor)
  if (index >= 0) waiting.splice(index, 1)
  if (waiting.length > 0) return
  endpoints.delete(endpoint)
  if (endpoints.size === 0) successors.delete(context)
}
