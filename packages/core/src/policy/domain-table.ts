/** The domain whose entry serves requests of domains (the empty one included) without their own. */
export const FALLBACK_DOMAIN = "*"

/** The entry for `domain`, or the fallback `"*"` entry when the domain has none of its own. */
export function lookupDomain<T>(table: ReadonlyMap<string, T>, domain: string): T | undefined {
  return table.get(domain) ?? table.get(FALLBACK_DOMAIN)
}
