export { ThreadAuthenticator } from "./thread-authenticator.js"
export type { ThreadAuthenticatorEvents, ThreadAuthenticatorOptions } from "./thread-authenticator.js"
