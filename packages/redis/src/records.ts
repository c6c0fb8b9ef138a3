/** A CURVE key's hash in Redis, as read. `revoked` records are tombstones. */
export interface CurveRecord {
  state: "active" | "revoked"
  /** The user id of connections with this key. */
  userId?: string
  /** Milliseconds since the epoch after which the key is refused. */
  notAfter?: number
  /** A token unique to the change that wrote the record. */
  version: string
}

/** A PLAIN user's hash in Redis, as read. `removed` records are tombstones. */
export interface UserRecord {
  state: "active" | "removed"
  /** The password's scrypt PHC string. */
  phc?: string
  /** A token unique to the change that wrote the record: part of every verified attempt's key. */
  version: string
}

/** A record as stored; `null` when the key does not exist; `"malformed"` when it cannot be read. */
export type Stored<R> = R | null | "malformed"

function fields(reply: unknown): Record<string, string> | undefined {
  if (reply === null || typeof reply !== "object") return undefined
  const entries = reply instanceof Map ? [...reply.entries()] : Array.isArray(reply) ? undefined : Object.entries(reply)
  if (entries === undefined) return undefined
  const result: Record<string, string> = Object.create(null) as Record<string, string>
  for (const [name, value] of entries)
    result[String(name)] = Buffer.isBuffer(value) ? value.toString("utf8") : String(value)
  return result
}

function integer(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,15}$/.test(text)) return undefined
  return Number(text)
}

function version(text: string | undefined): string | undefined {
  return text !== undefined && /^[0-9a-f-]{1,64}$/.test(text) ? text : undefined
}

/** Reads an `HGETALL` reply of a CURVE key. */
export function parseCurveRecord(reply: unknown): Stored<CurveRecord> {
  const hash = fields(reply)
  if (hash === undefined) return "malformed"
  if (Object.keys(hash).length === 0) return null
  const recordVersion = version(hash.version)
  if (recordVersion === undefined || (hash.state !== "active" && hash.state !== "revoked")) return "malformed"
  const record: CurveRecord = { state: hash.state, version: recordVersion }
  if (hash.user !== undefined) record.userId = hash.user
  if (hash.notAfter !== undefined) {
    const notAfter = integer(hash.notAfter)
    if (notAfter === undefined) return "malformed"
    record.notAfter = notAfter
  }
  return record
}

/** Reads an `HGETALL` reply of a PLAIN user key. */
export function parseUserRecord(reply: unknown): Stored<UserRecord> {
  const hash = fields(reply)
  if (hash === undefined) return "malformed"
  if (Object.keys(hash).length === 0) return null
  const recordVersion = version(hash.version)
  if (recordVersion === undefined || (hash.state !== "active" && hash.state !== "removed")) return "malformed"
  if (hash.state === "active" && hash.phc === undefined) return "malformed"
  const record: UserRecord = { state: hash.state, version: recordVersion }
  if (hash.phc !== undefined) record.phc = hash.phc
  return record
}
