import { Authenticator, type AuthenticatorOptions } from "@zmq-auth/core"
import type { ServeOptions } from "./adapter.js"

/** The engine an in-process adapter serves: `options.module`'s `createAuthenticator`, else a plain `Authenticator`. */
export async function createEngine(options: ServeOptions): Promise<Authenticator> {
  const { module, ...engineOptions } = options
  if (module === undefined) return new Authenticator(engineOptions as AuthenticatorOptions)
  const loaded = (await import(module.href)) as {
    createAuthenticator(options: AuthenticatorOptions): Authenticator | Promise<Authenticator>
  }
  return loaded.createAuthenticator(engineOptions as AuthenticatorOptions)
}
