/**
 * What a credential check answers: `true` allows (200), `false` denies (400 "Unknown key" for
 * CURVE, "Invalid password" for PLAIN), or a full verdict. `statusCode` 300 is RFC 27's temporary
 * failure ("try again later": the store cannot be reached in time or is saturated). A verdict's
 * `userId` replaces the one `curveUserId` would give. Anything else (another status code, a
 * non-string `userId`, a throw, a timeout) is a malformed verdict: 500 "Internal error".
 */
export type CredentialVerdict =
  | boolean
  | {
      /** 200 allow, 300 temporary failure, 400 deny. */
      statusCode: 200 | 300 | 400
      /** The reply's status text; defaults to the engine's own ("OK", "Unknown key", ...). */
      statusText?: string
      /** The user id of an allowed connection; defaults to the PLAIN user name or `curveUserId`. */
      userId?: string
      /** ZMTP metadata properties returned to libzmq with a 200 (readable by C and pyzmq servers). */
      metadata?: Record<string, string>
    }

/** Passed to each credential check. */
export interface CredentialCheck {
  /**
   * Aborted when the answer is no longer wanted (the check timed out, or the adapter stops):
   * a store should then cancel its work and settle.
   */
  signal: AbortSignal
}

/**
 * A pluggable source of credentials (Redis, a user's own database, `MemoryCredentialStore`).
 * A store implements the mechanisms it serves; `Authenticator.configureStore(domain, store)`
 * replaces the domain's entry for exactly those mechanisms. Each check receives the request's
 * domain (not the configured one).
 */
export interface CredentialStore {
  /** Decides a CURVE client key (Z85, 40 characters). */
  checkCurveKey?(
    domain: string,
    publicKey: string,
    check?: CredentialCheck
  ): CredentialVerdict | Promise<CredentialVerdict>
  /**
   * Decides a PLAIN user name and password. `password` holds the bytes as the client sent them:
   * the store may read them only while the check runs, and must not keep or log them.
   */
  checkPlain?(
    domain: string,
    username: string,
    password: Buffer,
    check?: CredentialCheck
  ): CredentialVerdict | Promise<CredentialVerdict>
  /** Releases the store's resources (connections, timers); adapters that own a store await it when they stop. */
  close?(): void | Promise<void>
}
