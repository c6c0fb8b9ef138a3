import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto"

/** scrypt cost parameters: N = 2^logN, block size r, parallelism p. */
export interface ScryptCost {
  logN: number
  r: number
  p: number
}

/**
 * OWASP's scrypt setting with 32 MiB of memory: N = 2^15, r = 8, p = 3 (as strong as its
 * 128 MiB N = 2^17, p = 1 line).
 */
export const DEFAULT_SCRYPT_COST: ScryptCost = { logN: 15, r: 8, p: 3 }

const SALT_BYTES = 16
const HASH_BYTES = 32
const LIMITS = { logN: [10, 20], r: [1, 32], p: [1, 16] } as const

/** Throws `TypeError` naming `what` when `cost` is out of the accepted ranges. */
export function checkScryptCost(cost: ScryptCost, what: string): void {
  for (const name of ["logN", "r", "p"] as const) {
    const value = cost?.[name]
    const [low, high] = LIMITS[name]
    if (!Number.isInteger(value) || value < low || value > high)
      throw new TypeError(`${what}.${name} must be an integer from ${low} to ${high}, got ${String(value)}`)
  }
}

function derive(password: Buffer, salt: Buffer, cost: ScryptCost, length: number): Promise<Buffer> {
  const options: ScryptOptions = {
    N: 2 ** cost.logN,
    r: cost.r,
    p: cost.p,
    maxmem: 256 * 2 ** cost.logN * cost.r + 1024 * 1024,
  }
  return new Promise((resolve, reject) => {
    scrypt(password, salt, length, options, (error, key) => (error === null ? resolve(key) : reject(error)))
  })
}

const b64 = (data: Buffer): string => data.toString("base64").replace(/=+$/, "")

/** Hashes `password` with a random salt into a PHC string: `$scrypt$ln=15,r=8,p=3$<salt>$<hash>`. */
export async function hashPassword(password: Buffer, cost: ScryptCost): Promise<string> {
  const salt = randomBytes(SALT_BYTES)
  const hash = await derive(password, salt, cost, HASH_BYTES)
  return `$scrypt$ln=${cost.logN},r=${cost.r},p=${cost.p}$${b64(salt)}$${b64(hash)}`
}

/** A parsed scrypt PHC string. */
export interface ParsedPhc {
  cost: ScryptCost
  salt: Buffer
  hash: Buffer
}

/** Parses a scrypt PHC string; `undefined` when it is not one this package accepts. */
export function parsePhc(phc: string): ParsedPhc | undefined {
  const match = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{16,})\$([A-Za-z0-9+/]{22,})$/.exec(phc)
  if (match === null) return undefined
  const cost = { logN: Number(match[1]), r: Number(match[2]), p: Number(match[3]) }
  try {
    checkScryptCost(cost, "phc")
  } catch {
    return undefined
  }
  return { cost, salt: unpooledBase64(match[4]!), hash: unpooledBase64(match[5]!) }
}

/** Whether `password` matches the parsed PHC string (constant-time comparison of the hashes). */
export async function verifyPassword(password: Buffer, phc: ParsedPhc): Promise<boolean> {
  const hash = await derive(password, phc.salt, phc.cost, phc.hash.length)
  return timingSafeEqual(hash, phc.hash)
}

/** The bytes of base64 `text` in memory of their own (a password hash never shares Node's Buffer pool). */
function unpooledBase64(text: string): Buffer {
  const bytes = Buffer.alloc(Buffer.byteLength(text, "base64"))
  const written = bytes.write(text, "base64")
  return bytes.subarray(0, written)
}
