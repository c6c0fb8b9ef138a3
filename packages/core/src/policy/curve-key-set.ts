import { decodeToByteString } from "../zap/z85.js"

/**
 * The accepted CURVE client keys of a domain, as the engine's CURVE policy asks them. Where the
 * keys come from (a list given in code, a watched directory of certificates) is the set's business.
 */
export interface CurveKeySet {
  /**
   * The Z85 text of the client key `key` (its 32 bytes, as a ZAP request carries it) when it is
   * accepted; `undefined` when it is not.
   */
  lookup(key: Buffer): string | undefined
  /** How many keys are accepted. */
  readonly size: number
  /** Stops whatever keeps the set current (a watch), when the engine lets go of it; the keys stay. */
  close?(): void
}

/** The index of a key: its 32 bytes as a latin1 string, so that a request's key is looked up without encoding it. */
export function keyIndexOf(z85Key: string): string {
  return decodeToByteString(z85Key)
}

/** A {@link CurveKeySet} that never changes: the keys given to `configureCurveKeys`. */
export class FixedCurveKeySet implements CurveKeySet {
  readonly #keys = new Map<string, string>()

  /** @param z85Keys keys already validated (see `normalizeCurveKey`) */
  constructor(z85Keys: Iterable<string>) {
    for (const key of z85Keys) this.#keys.set(keyIndexOf(key), key)
  }

  lookup(key: Buffer): string | undefined {
    return this.#keys.get(key.toString("latin1"))
  }

  get size(): number {
    return this.#keys.size
  }
}
