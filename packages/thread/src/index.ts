export { ThreadAuthenticator } from "./thread-authenticator.js"
export type { ThreadAuthenticatorEvents } from "./thread-authenticator.js"
export type { ThreadAuthenticatorOptions } from "./thread-options.js"
