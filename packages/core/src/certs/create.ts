import { randomBytes } from "node:crypto"
import { open, rename, rm } from "node:fs/promises"
import { basename, dirname, join } from "node:path"
import { curveKeyPair } from "zeromq"
import { CertificateError } from "../errors.js"
import { messageOf } from "../error-text.js"
import { unpooledUtf8 } from "../unpooled.js"
import { quoteZplValue, ZPL_NAME } from "./zpl.js"

const PUBLIC_HEADER = [
  "#   ZeroMQ CURVE Public Certificate",
  "#   Exchange securely, or use a secure mechanism to verify the contents",
  "#   of this file after exchange. Store public certificates in your home",
  "#   directory, in the .curve subdirectory.",
]
const SECRET_HEADER = [
  "#   ZeroMQ CURVE **Secret** Certificate",
  "#   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.",
]

/** Renders certificate text in the layout pyzmq and CZMQ write. */
export function formatCertificate(
  file: string,
  keys: { publicKey: string; secretKey?: string },
  metadata: Record<string, string> = {}
): string {
  const lines = [
    `#   ****  Generated on ${new Date().toISOString()} by zmq-auth  ****`,
    ...(keys.secretKey === undefined ? PUBLIC_HEADER : SECRET_HEADER),
    "",
    "metadata",
  ]
  for (const [name, value] of Object.entries(metadata)) {
    const quoted = typeof value === "string" ? quoteZplValue(value) : undefined
    if (!ZPL_NAME.test(name))
      throw new CertificateError(file, `metadata name ${JSON.stringify(name)} is not a valid ZPL name`)
    if (quoted === undefined)
      throw new CertificateError(file, `metadata value of ${name} cannot be written (newline or both quote kinds)`)
    lines.push(`    ${name} = ${quoted}`)
  }
  lines.push("curve", `    public-key = "${keys.publicKey}"`)
  if (keys.secretKey !== undefined) lines.push(`    secret-key = "${keys.secretKey}"`)
  return lines.join("\n") + "\n"
}

/**
 * Creates a new CURVE key pair and writes `<name>.key` (public) and `<name>.key_secret`
 * (public and secret, mode 0600) into `dir`, as pyzmq's `create_certificates` does.
 * Throws {@link CertificateError} naming the file that could not be written.
 */
export async function createCertificates(
  dir: string,
  name: string,
  metadata?: Record<string, string>
): Promise<{ publicFile: string; secretFile: string }> {
  const publicFile = join(dir, `${name}.key`)
  const secretFile = join(dir, `${name}.key_secret`)
  const { publicKey, secretKey } = curveKeyPair()
  const publicText = formatCertificate(publicFile, { publicKey }, metadata)
  const secretText = formatCertificate(secretFile, { publicKey, secretKey }, metadata)
  // Both files are written aside first, then renamed into place, the secret first: a failure
  // leaves the old pair as it was, never a new public key whose secret was lost.
  const staged: string[] = []
  try {
    const secretStage = await stage(secretFile, secretText, 0o600, staged)
    const publicStage = await stage(publicFile, publicText, 0o644, staged)
    await place(secretStage, secretFile)
    await place(publicStage, publicFile)
  } finally {
    for (const temporary of staged) await rm(temporary, { force: true }).catch(() => undefined)
  }
  return { publicFile, secretFile }
}

/**
 * Writes `text` to a new hidden file next to `file`, created with mode 0600 (so a secret is
 * never readable by others, even for a moment) and then given `mode` through its open handle.
 * Returns its path, also pushed onto `staged` for cleanup.
 */
async function stage(file: string, text: string, mode: number, staged: string[]): Promise<string> {
  const temporary = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString("hex")}.tmp`)
  try {
    const handle = await open(temporary, "wx", 0o600)
    staged.push(temporary)
    // Encoded in memory of its own (a string would be encoded in the shared pool) and wiped
    // once written: the text may hold a secret key.
    const bytes = unpooledUtf8(text)
    try {
      await handle.writeFile(bytes)
      await handle.chmod(mode)
    } finally {
      bytes.fill(0)
      await handle.close()
    }
  } catch (error) {
    throw new CertificateError(file, `cannot write certificate: ${messageOf(error)}`, { cause: error })
  }
  return temporary
}

/** Renames a staged file over `file` (atomic: a directory watcher never sees half a certificate). */
async function place(temporary: string, file: string): Promise<void> {
  try {
    await rename(temporary, file)
  } catch (error) {
    throw new CertificateError(file, `cannot write certificate: ${messageOf(error)}`, { cause: error })
  }
}
