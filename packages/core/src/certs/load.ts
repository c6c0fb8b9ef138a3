import type { Dirent } from "node:fs"
import { readdir } from "node:fs/promises"
import { join } from "node:path"
import { CertificateError } from "../errors.js"
import { mapLimited } from "../map-limited.js"
import { normalizeCurveKey } from "../policy/curve-key.js"
import { messageOf } from "../policy/timeout.js"
import { isCertificateFileName } from "./certificate-file-name.js"
import { readCertificateFile, type CertificateFileError } from "./read-certificate-file.js"
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
  const record = await readCertificateRecord(file, false)
  if (record.result instanceof Error) throw record.result
  return record.result
}

/** One `*.key` file of a directory, as it was read. */
export interface CertificateFileRecord {
  /**
   * Whether the directory entry is a symbolic link: its target can be deleted or replaced
   * without any change to the directory.
   */
  readonly link: boolean
  /** The `fileIdentity` of the file read (a link's target), when it could be opened. */
  readonly identity: string | undefined
  /** The certificate, or the error naming the file. */
  readonly result: Certificate | CertificateError
}

/** Reads and parses one certificate file; never rejects. */
export async function readCertificateRecord(file: string, link: boolean): Promise<CertificateFileRecord> {
  let read: { text: string; identity: string }
  try {
    read = await readCertificateFile(file)
  } catch (error) {
    const result = new CertificateError(file, `cannot read certificate: ${messageOf(error)}`, { cause: error })
    return { link, identity: (error as CertificateFileError).identity, result }
  }
  try {
    return { link, identity: read.identity, result: parseCertificate(file, read.text) }
  } catch (error) {
    return { link, identity: read.identity, result: error as CertificateError }
  }
}

/** The records of each directory read, by file name, for a watcher to compare against. */
const RECORDS = new WeakMap<CertificateDirectory, ReadonlyMap<string, CertificateFileRecord>>()

/** The file records (by file name) a {@link CertificateDirectory} was built from. */
export function recordsOf(directory: CertificateDirectory): ReadonlyMap<string, CertificateFileRecord> {
  return RECORDS.get(directory) ?? new Map()
}

/** Builds a {@link CertificateDirectory} from file records, in the order of their names. */
export function directoryFromRecords(records: ReadonlyMap<string, CertificateFileRecord>): CertificateDirectory {
  const certificates = new Map<string, Record<string, string>>()
  const errors: CertificateError[] = []
  for (const name of [...records.keys()].sort()) {
    const { result } = records.get(name)!
    if (result instanceof Error) errors.push(result)
    else certificates.set(result.publicKey, result.metadata)
  }
  const directory = { certificates, errors }
  RECORDS.set(directory, records)
  return directory
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
 * Reads every `*.key` file of `dir`, hidden files (`.a.key`) excepted as with pyzmq's glob:
 * good files load, each bad one is reported in `errors`.
 * Throws {@link CertificateError} naming the directory when it cannot be listed.
 */
export async function readCertificateDirectory(dir: string): Promise<CertificateDirectory> {
  let entries: Dirent[]
  try {
    entries = (await readdir(dir, { withFileTypes: true })).filter((entry) => isCertificateFileName(entry.name))
  } catch (error) {
    throw new CertificateError(dir, `cannot list certificate directory: ${messageOf(error)}`, { cause: error })
  }
  const records = await mapLimited(entries, PARALLEL_READS, (entry) => readCertificateRecord(join(dir, entry.name), entry.isSymbolicLink()))
  return directoryFromRecords(new Map(entries.map((entry, index) => [entry.name, records[index]!])))
}

/**
 * Loads the public keys of every `*.key` file in `dir` (as pyzmq's `load_certificates`, which
 * skips hidden files such as `.a.key`, so renaming a file that way disables its client),
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
