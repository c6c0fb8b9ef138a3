import { CURVE_ALLOW_ANY, type Authenticator, type CurveKeyCallback } from "@zmq-auth/core"
import type { ConfigurationCall } from "./messages.js"

/** The configuration methods of an engine: the core `Authenticator` or a subclass. */
export type ConfigurableEngine = Pick<
  Authenticator,
  | "allow"
  | "deny"
  | "configurePlain"
  | "configureCurve"
  | "configureCurveKeys"
  | "configureCurveCallback"
  | "configureGssapi"
>

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
      engine.allow(...call.addresses)
      return
    case "deny":
      engine.deny(...call.addresses)
      return
    case "configurePlain":
      engine.configurePlain(call.domain, call.passwords)
      return
    case "configureCurve":
      await engine.configureCurve(call.domain, call.location ?? CURVE_ALLOW_ANY, call.options)
      return
    case "configureCurveKeys":
      engine.configureCurveKeys(call.domain, call.keys)
      return
    case "configureCurveCallback":
      engine.configureCurveCallback(call.domain, callbackFor(call.callbackId))
      return
    case "configureGssapi":
      engine.configureGssapi(call.domain)
      return
  }
}
