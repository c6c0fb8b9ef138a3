/** The median of `values` (NaN when empty). */
export function median(values: readonly number[]): number {
  return percentile(values, 50)
}

/** The `rank`-th percentile (0-100) of `values`, nearest-rank method (NaN when empty). */
export function percentile(values: readonly number[], rank: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((left, right) => left - right)
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((rank / 100) * sorted.length) - 1))
  return sorted[index]!
}

/** Runs `measure` once per variant per round, interleaving the variants; returns each variant's results. */
export async function interleave<Variant, Result>(
  variants: readonly Variant[],
  rounds: number,
  measure: (variant: Variant) => Promise<Result>
): Promise<Map<Variant, Result[]>> {
  const results = new Map<Variant, Result[]>(variants.map((variant) => [variant, []]))
  for (let round = 0; round < rounds; round++) {
    for (const variant of variants) results.get(variant)!.push(await measure(variant))
  }
  return results
}

/** (largest - smallest) / median of `values`: how far apart the rounds of a ratio are (NaN when empty). */
export function relativeSpread(values: readonly number[]): number {
  return (Math.max(...values) - Math.min(...values)) / median(values)
}
