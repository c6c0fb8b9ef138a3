import { readdir } from "node:fs/promises"
import { join } from "node:path"
import { CertificateError } from "../errors.js"
import { mapLimited } from "../map-limited.js"
import { normalizeCurveKey } from "../policy/curve-key.js"
import { messageOf } from "../policy/timeout.js"
import { readCertificateFile } from "./read-certificate-file.js"
import { parseZpl } from "./zpl.js"

/** A certificate read from a file; keys in Z85. */
export interface Certificate {
  /** The CURVE public key in Z85 (40 characters). */
  publicKey: string
  /** The CURVE secret key in Z85, or `null` for a public certificate file. */
  secretKey: string | null
  /** The properties of the `metadata` section. */
  metadata: Record<string, string>
}

/** Parses certificate text; `file` names the source in errors. */
export function parseCertificate(file: string, text: string): Certificate {
  const document = parseZpl(text)
  const curve = document.get("curve")
  const publicKey = curve?.get("public-key")
  if (publicKey === undefined || publicKey === "") throw new CertificateError(file, "no curve public-key in certificate")
  let secretKey: string | null = null
  try {
    normalizeCurveKey(publicKey)
  } catch {
    throw new CertificateError(file, `malformed public-key (${publicKey.length} characters, 40 Z85 characters expected)`)
  }
  const secret = curve?.get("secret-key")
  if (secret !== undefined && secret !== "") {
    try {
      secretKey = normalizeCurveKey(secret)
    } catch {
      throw new CertificateError(file, "malformed secret-key (40 Z85 characters expected)")
    }
  }
  const metadata: Record<string, string> = {}
  // Defined, not assigned: a property named "__proto__" is kept as data, never a prototype.
  for (const [name, value] of document.get("metadata") ?? []) Object.defineProperty(metadata, name, { value, enumerable: true, writable: true, configurable: true })
  return { publicKey, secretKey, metadata }
}

/**
 * Reads a certificate file written by zmq-auth, pyzmq (`zmq.auth.create_certificates`) or
 * CZMQ (`zcert_save`). Throws {@link CertificateError} naming the file when it cannot be
 * read (or is not a regular file, or is larger than 64 KiB), has no public key, or has a
 * malformed key.
 */
export async function loadCertificate(file: string): Promise<Certificate> {
  let text: string
  try {
    text = await readCertificateFile(file)
  } catch (error) {
    throw new CertificateError(file, `cannot read certificate: ${messageOf(error)}`, { cause: error })
  }
  return parseCertificate(file, text)
}

/** Files of a directory read at once (enough to keep the disk busy, few enough to spare file handles). */
export const PARALLEL_READS = 64

/** The result of reading a certificate directory leniently. */
export interface CertificateDirectory {
  /** Public key (Z85) to metadata, for every good `*.key` file. */
  certificates: Map<string, Record<string, string>>
  /** One error per `*.key` file that could not be loaded, each naming its file. */
  errors: CertificateError[]
}

/**
 * Reads every `*.key` file of `dir`: good files load, each bad one is reported in `errors`.
 * Throws {@link CertificateError} naming the directory when it cannot be listed.
 */
export async function readCertificateDirectory(dir: string): Promise<CertificateDirectory> {
  let names: string[]
  try {
    names = (await readdir(dir, { withFileTypes: true }))
      .filter((entry) => entry.name.endsWith(".key"))
      .map((entry) => entry.name)
      .sort()
  } catch (error) {
    throw new CertificateError(dir, `cannot list certificate directory: ${messageOf(error)}`, { cause: error })
  }
  const results = await mapLimited(names, PARALLEL_READS, (name) =>
    loadCertificate(join(dir, name)).catch((error: CertificateError) => error),
  )
  const certificates = new Map<string, Record<string, string>>()
  const errors: CertificateError[] = []
  for (const result of results) {
    if (result instanceof Error) errors.push(result)
    else certificates.set(result.publicKey, result.metadata)
  }
  return { certificates, errors }
}

/**
 * Loads the public keys of every `*.key` file in `dir` (as pyzmq's `load_certificates`),
 * mapping each public key (Z85) to its metadata. Throws the first {@link CertificateError}
 * (naming its file) unless `options.onError` is given, which then receives each bad file
 * while the good ones load.
 */
export async function loadCertificates(
  dir: string,
  options: { onError?: (error: CertificateError) => void } = {},
): Promise<Map<string, Record<string, string>>> {
  const { certificates, errors } = await readCertificateDirectory(dir)
  if (options.onError === undefined) {
    if (errors[0] !== undefined) throw errors[0]
  } else {
    for (const error of errors) options.onError(error)
  }
  return certificates
}
