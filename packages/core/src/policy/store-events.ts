/**
 * The events of a `CredentialStore` that adapters forward (the thread adapter re-emits them on
 * `ThreadAuthenticator`): `store:up`, `store:down` (with an `Error`), `store:stale`,
 * `store:error` (with an `Error`), and `credential:revoked` (with `{ domain, publicKey?, username? }`).
 */
export const STORE_EVENTS = ["store:up", "store:down", "store:stale", "store:error", "credential:revoked"] as const

/** The name of one of {@link STORE_EVENTS}. */
export type StoreEventName = (typeof STORE_EVENTS)[number]

/** What `credential:revoked` carries: the revoked key (Z85) or user name of a domain. */
export interface CredentialRevokedEvent {
  domain: string
  publicKey?: string
  username?: string
}
