/** Decides whether a CURVE client key (Z85) may connect to a domain. */
export type CurveKeyCallback = (domain: string, publicKey: string) => boolean | Promise<boolean>

/** The CURVE policy of one domain. */
export type CurvePolicy =
  | { readonly kind: "any" }
  | { readonly kind: "keys"; readonly keys: ReadonlyMap<string, Readonly<Record<string, string>>> }
  | { readonly kind: "callback"; readonly callback: CurveKeyCallback }
