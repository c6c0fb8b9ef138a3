import { randomBytes } from "node:crypto"
import { chmod, rename, rm, writeFile } from "node:fs/promises"
import { basename, dirname, join } from "node:path"
import { curveKeyPair } from "zeromq"
import { CertificateError } from "../errors.js"
import { messageOf } from "../policy/timeout.js"
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
  metadata: Record<string, string> = {},
): string {
  const lines = [
    `#   ****  Generated on ${new Date().toISOString()} by zmq-auth  ****`,
    ...(keys.secretKey === undefined ? PUBLIC_HEADER : SECRET_HEADER),
    "",
    "metadata",
  ]
  for (const [name, value] of Object.entries(metadata)) {
    const quoted = typeof value === "string" ? quoteZplValue(value) : undefined
    if (!ZPL_NAME.test(name)) throw new CertificateError(file, `metadata name ${JSON.stringify(name)} is not a valid ZPL name`)
    if (quoted === undefined) throw new CertificateError(file, `metadata value of ${name} cannot be written (newline or both quote kinds)`)
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
  metadata?: Record<string, string>,
): Promise<{ publicFile: string; secretFile: string }> {
  const publicFile = join(dir, `${name}.key`)
  const secretFile = join(dir, `${name}.key_secret`)
  const { publicKey, secretKey } = curveKeyPair()
  const publicText = formatCertificate(publicFile, { publicKey }, metadata)
  const secretText = formatCertificate(secretFile, { publicKey, secretKey }, metadata)
  await writeText(publicFile, publicText, 0o644)
  await writeText(secretFile, secretText, 0o600)
  return { publicFile, secretFile }
}

/**
 * Writes `file` whole or not at all: the text goes to a new hidden file created with mode 0600
 * (so a secret is never readable by others, even for a moment, even when `file` existed with a
 * wider mode), which then gets `mode` and is renamed over `file`. A directory watcher never sees
 * a half-written certificate.
 */
async function writeText(file: string, text: string, mode: number): Promise<void> {
  const temporary = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString("hex")}.tmp`)
  try {
    await writeFile(temporary, text, { mode: 0o600, flag: "wx" })
    await chmod(temporary, mode)
    await rename(temporary, file)
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined)
    throw new CertificateError(file, `cannot write certificate: ${messageOf(error)}`, { cause: error })
  }
}
