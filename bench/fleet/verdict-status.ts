/** The status code a store's verdict stands for (`true` 200, `false` 400). */
export function verdictStatus(verdict: boolean | { statusCode: number }): number {
  return typeof verdict === "boolean" ? (verdict ? 200 : 400) : verdict.statusCode
}
