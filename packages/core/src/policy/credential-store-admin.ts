/**
 * What a change to a store's credentials returns: the generation counter of the credentials
 * (one store's, or a shared namespace's) after the change. Every change (add, revoke, set,
 * remove) raises it by one, so a receipt orders changes and names the point a node must have
 * applied (see `waitForFleet`).
 */
export interface ChangeReceipt {
  /** The generation that includes this change (the first change ever made is 1). */
  generation: number
}

/** Which nodes (processes holding a store) applied a change, as `waitForFleet` reports it. */
export interface FleetReport {
  /** Names of the live nodes whose store has applied the receipt's generation. */
  applied: string[]
  /** Names of the live nodes that had not applied it when the wait ended (timeout). */
  pending: string[]
  /** Milliseconds from the call until every node applied it, or until the wait ended. */
  elapsedMs: number
}

/** Options of `waitForFleet`. */
export interface WaitForFleetOptions {
  /** How long to wait for nodes that have not applied the change yet, in ms. */
  timeoutMs?: number
}

/** Options of `addCurveKey`. */
export interface CurveKeyEntryOptions {
  /** The user id of connections made with this key; default: the key itself (Z85). */
  userId?: string
  /** The key is refused from this instant on (an expiry, not a revocation). */
  notAfter?: Date
}

/**
 * The administration methods shared by the credential stores of zmq-auth (`MemoryCredentialStore`,
 * `RedisCredentialStore`), which a store's conformance run uses to set up what it checks.
 * Each change resolves once the store that made it decides by it.
 */
export interface CredentialAdministration {
  /** Admits a CURVE key (Z85 or 32 bytes) under `domain`; replaces that domain's entry or tombstone for it. */
  addCurveKey(domain: string, publicKey: string, options?: CurveKeyEntryOptions): Promise<ChangeReceipt>
  /** Revokes a CURVE key under `domain` with a tombstone that wins over an entry at the other level. */
  revokeCurveKey(domain: string, publicKey: string): Promise<ChangeReceipt>
  /** Sets a PLAIN user's password under `domain`; replaces that domain's record or tombstone for the user. */
  setPassword(domain: string, username: string, password: string): Promise<ChangeReceipt>
  /** Removes a PLAIN user under `domain` with a tombstone that wins over an entry at the other level. */
  removeUser(domain: string, username: string): Promise<ChangeReceipt>
  /** Reports which nodes applied a change. */
  waitForFleet?(receipt: ChangeReceipt, options?: WaitForFleetOptions): Promise<FleetReport>
}
