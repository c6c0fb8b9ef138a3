import { vi } from "vitest"
import { Dealer, Router } from "zeromq"

/**
 * Runs `hook` when a Router is next about to unbind, then lets zeromq unbind as usual: the moment
 * a releasing ZAP endpoint has found no successor and frees its address. Only that one unbind
 * waits for the hook. `after` runs as soon as that unbind is done, before its caller goes on.
 */
export function beforeNextUnbind(hook: () => Promise<void> | void, after?: () => void): void {
  const unbind = Router.prototype.unbind
  const spy = vi.spyOn(Router.prototype, "unbind").mockImplementation(async function (this: Router, address: string) {
    spy.mockRestore()
    await hook()
    await unbind.call(this, address)
    after?.()
  })
}

/**
 * Runs `hook` as soon as a Router's next `unbind()` is done, before its caller goes on: with
 * `setImmediate` in the hook, as a libzmq session whose I/O thread found the address before the
 * unbind and runs again only after it.
 */
export function afterNextUnbind(hook: () => void): void {
  beforeNextUnbind(() => undefined, hook)
}

/**
 * The next Router bound with `bindSync` (a ZAP endpoint's socket), as zeromq made it: for tests
 * that set a real socket option on it or watch its events.
 */
export function nextBoundRouter(): Promise<Router> {
  return new Promise((resolve) => {
    const bindSync = Router.prototype.bindSync
    const spy = vi.spyOn(Router.prototype, "bindSync").mockImplementation(function (this: Router, address: string) {
      spy.mockRestore()
      bindSync.call(this, address)
      resolve(this)
    })
  })
}

/**
 * Resolves once `router` has failed `count` more receive() calls. The calls still go to zeromq
 * unchanged; only their failures are counted.
 */
export function receiveFailures(router: Router, count: number): Promise<void> {
  const receive = Router.prototype.receive
  let failed = 0
  return new Promise((resolve) => {
    const spy = vi.spyOn(Router.prototype, "receive").mockImplementation(async function (this: Router) {
      try {
        return await receive.call(this)
      } catch (error) {
        if (this === router && ++failed === count) {
          spy.mockRestore()
          resolve()
        }
        throw error
      }
    })
  })
}

/** The next DEALER connecting with a routing id that starts with `prefix` (a ZAP endpoint's waker). */
export function nextConnectedDealer(prefix: string): Promise<Dealer> {
  return new Promise((resolve) => {
    const connect = Dealer.prototype.connect
    const spy = vi.spyOn(Dealer.prototype, "connect").mockImplementation(function (this: Dealer, address: string) {
      connect.call(this, address)
      if (this.routingId?.startsWith(prefix) !== true) return
      spy.mockRestore()
      resolve(this)
    })
  })
}
