/**
 * A change or a fleet query the store could not carry out: Redis unreachable, or a write whose
 * outcome is unknown (the connection died before `EXEC` answered). Never holds a secret.
 */
export class RedisStoreError extends Error {
  /** Always `"ERR_REDIS_STORE"`. */
  readonly code = "ERR_REDIS_STORE" as const

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = "RedisStoreError"
  }
}
