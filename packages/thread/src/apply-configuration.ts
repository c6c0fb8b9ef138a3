import { CURVE_ALLOW_ANY, type Authenticator, type CurveKeyCallback } from "@zmq-auth/core"
import type { ConfigurationCall } from "./messages.js"

/**
 * The configuration methods of an engine: the core `Authenticator` or a subclass, whose methods
 * may return a promise (a custom module's engine, say): the call settles when it does.
 */
export type ConfigurableEngine = {
  [Method in ConfigurationCall["method"]]: (...args: Parameters<Authenticator[Method]>) => unknown
}

/**
 * Applies one configuration call to `engine`, settling once it is applied; throws (or rejects
 * with) the engine's own typed error. `callbackFor` turns a callback id into the function the
 * engine calls.
 */
export async function applyConfiguration(
  engine: ConfigurableEngine,
  call: ConfigurationCall,
  callbackFor: (callbackId: number) => CurveKeyCallback
): Promise<void> {
  switch (call.method) {
    case "allow":
      await engine.allow(...call.addresses)
      return
    case "deny":
      await engine.deny(...call.addresses)
      return
    case "configurePlain":
      await engine.configurePlain(call.domain, call.passwords)
      return
    case "configureCurve":
      await engine.configureCurve(call.domain, call.location ?? CURVE_ALLOW_ANY, call.options)
      return
    case "configureCurveKeys":
      await engine.configureCurveKeys(call.domain, call.keys)
      return
    case "configureCurveCallback":
      await engine.configureCurveCallback(call.domain, callbackFor(call.callbackId))
      return
    case "configureGssapi":
      await engine.configureGssapi(call.domain)
      return
  }
}
