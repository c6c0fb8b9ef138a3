import type { Authenticator, ZapReply, ZapRequest } from "@zmq-auth/core"

/** An engine that keeps every request undecided until {@link HeldEngine.decideAll}. */
export interface HeldEngine {
  engine: Pick<Authenticator, "authenticate">
  /** Resolves once `count` requests in total have reached the engine. */
  received(count: number): Promise<void>
  /** Decides every held request with `reply` (the request id is filled in). */
  decideAll(reply: Omit<ZapReply, "requestId">): void
}

/** Creates a {@link HeldEngine}. */
export function createHeldEngine(): HeldEngine {
  const held: Array<{ request: ZapRequest; resolve: (reply: ZapReply) => void }> = []
  const waiters: Array<{ count: number; resolve: () => void }> = []
  let total = 0
  return {
    engine: {
      authenticate(request) {
        return new Promise((resolve) => {
          held.push({ request, resolve })
          total++
          for (const waiter of waiters.filter((candidate) => candidate.count <= total)) {
            waiters.splice(waiters.indexOf(waiter), 1)
            waiter.resolve()
          }
        })
      },
    },
    received(count) {
      return count <= total ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve }))
    },
    decideAll(reply) {
      for (const { request, resolve } of held.splice(0)) resolve({ ...reply, requestId: request.requestId })
    },
  }
}
