import { scrypt, timingSafeEqual } from "node:crypto"
import type { CredentialCheck, CredentialStore, CredentialVerdict } from "@zmq-auth/core"

/** The one method of your SQL client the store needs (adapt to pg, mysql2, better-sqlite3...). */
export interface SqlClient {
  query(sql: string, params: unknown[], options: { signal: AbortSignal }): Promise<Array<Record<string, unknown>>>
}

/** PLAIN users (salted scrypt hashes) and CURVE keys in two tables, per ZAP domain with "*" as fallback. */
export class SqlCredentialStore implements CredentialStore {
  constructor(private readonly db: SqlClient) {}

  async checkCurveKey(domain: string, publicKey: string, check?: CredentialCheck): Promise<CredentialVerdict> {
    const rows = await this.#query(
      "SELECT user_id, revoked FROM curve_keys WHERE domain IN ($1, '*') AND public_key = $2",
      [domain, publicKey],
      check
    )
    if (rows === undefined) return { statusCode: 300 } // database unreachable: try again later
    if (rows.length === 0 || rows.some((row) => row.revoked === true)) return false // a revocation at either level wins
    return { statusCode: 200, userId: String(rows[0]!.user_id) }
  }

  async checkPlain(
    domain: string,
    username: string,
    password: Buffer,
    check?: CredentialCheck
  ): Promise<CredentialVerdict> {
    const rows = await this.#query(
      "SELECT salt, hash FROM plain_users WHERE domain IN ($1, '*') AND name = $2 ORDER BY domain = '*'",
      [domain, username],
      check
    )
    if (rows === undefined) return { statusCode: 300 }
    const row = rows[0]
    if (row === undefined) return false
    const expected = row.hash as Buffer
    const actual = await new Promise<Buffer>((resolve, reject) =>
      scrypt(password, row.salt as Buffer, expected.length, (error, key) => (error ? reject(error) : resolve(key)))
    )
    return timingSafeEqual(actual, expected) ? { statusCode: 200, userId: username } : false
  }

  /** The rows, or undefined when the database cannot answer (the engine's timeout aborts the query). */
  async #query(
    sql: string,
    params: unknown[],
    check?: CredentialCheck
  ): Promise<Array<Record<string, unknown>> | undefined> {
    try {
      return await this.db.query(sql, params, { signal: check?.signal ?? new AbortController().signal })
    } catch {
      return undefined
    }
  }
}
