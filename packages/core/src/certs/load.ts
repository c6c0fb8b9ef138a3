import type { Dirent } from "node:fs"
import { readdir } from "node:fs/promises"
import { join } from "node:path"
import { CertificateError } from "../errors.js"
import { normalizeCurveKey } from "../policy/curve-key.js"
import { messageOf } from "../error-text.js"
import { isCertificateFileName } from "./certificate-file-name.js"
import {
  fileIdentity,
  readCertificateFile,
  readCertificateFileSync,
  type CertificateFileError,
  type CertificateFileText,
} from "./read-certificate-file.js"
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
  if (publicKey === undefined || publicKey === "")
    throw new CertificateError(file, "no curve public-key in certificate")
  let secretKey: string | null = null
  try {
    normalizeCurveKey(publicKey)
  } catch {
    throw new CertificateError(
      file,
      `malformed public-key (${publicKey.length} characters, 40 Z85 characters expected)`
    )
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
  for (const [name, value] of document.get("metadata") ?? []) {
    // Defined, not assigned: a property named "__proto__" is kept as data, never a prototype.
    if (name === "__proto__")
      Object.defineProperty(metadata, name, { value, enumerable: true, writable: true, configurable: true })
    else metadata[name] = value
  }
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
  /** For a link, the `fileIdentity` of the file read (its target), when it could be opened. */
  readonly identity: string | undefined
  /** The certificate, or the error naming the file. */
  readonly result: Certificate | CertificateError
}

/** Reads and parses one certificate file; never rejects. */
export async function readCertificateRecord(file: string, link: boolean): Promise<CertificateFileRecord> {
  let read: CertificateFileText
  try {
    read = await readCertificateFile(file)
  } catch (error) {
    return unreadRecord(file, link, error)
  }
  return parsedRecord(file, link, read)
}

/**
 * Reads and parses one certificate file synchronously (see `readCertificateFileSync`, which
 * `listedAsFile` is passed to); never throws.
 */
export function readCertificateRecordSync(file: string, link: boolean, listedAsFile: boolean): CertificateFileRecord {
  let read: CertificateFileText
  try {
    read = readCertificateFileSync(file, listedAsFile)
  } catch (error) {
    return unreadRecord(file, link, error)
  }
  return parsedRecord(file, link, read)
}

function unreadRecord(file: string, link: boolean, error: unknown): CertificateFileRecord {
  const result = new CertificateError(file, `cannot read certificate: ${messageOf(error)}`, { cause: error })
  const { stats } = error as CertificateFileError
  return { link, identity: link && stats !== undefined ? fileIdentity(stats) : undefined, result }
}

function parsedRecord(file: string, link: boolean, read: CertificateFileText): CertificateFileRecord {
  const identity = link && read.stats !== undefined ? fileIdentity(read.stats) : undefined
  try {
    return { link, identity, result: parseCertificate(file, read.text) }
  } catch (error) {
    return { link, identity, result: error as CertificateError }
  }
}

/** Orders file names by their UTF-16 code units, as `Array.prototype.sort` does by default. */
function compareNames(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0
}

/** The errors of `records`, in the order of their file names. */
export function errorsOf(records: ReadonlyMap<string, CertificateFileRecord>): CertificateError[] {
  const failed: Array<[name: string, error: CertificateError]> = []
  for (const [name, { result }] of records) if (result instanceof Error) failed.push([name, result])
  failed.sort(([left], [right]) => compareNames(left, right))
  return failed.map(([, error]) => error)
}

/** Files of a directory read at once (enough to keep the disk busy, few enough to spare file handles). */
export const PARALLEL_READS = 64

/**
 * Milliseconds a directory is read for before other work of the event loop gets its turn.
 * Certificate files are read synchronously in such slices: a round trip to the file-I/O threads
 * for each open, fstat, read and close costs far more than the system calls themselves.
 */
export const READ_SLICE_MS = 4

/** Resolves after the I/O and timers waiting on the event loop had their turn. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/** The result of reading a certificate directory leniently. */
export interface CertificateDirectory {
  /** Public key (Z85) to metadata, for every good `*.key` file. */
  certificates: Map<string, Record<string, string>>
  /** One error per `*.key` file that could not be loaded, each naming its file. */
  errors: CertificateError[]
}

/**
 * Reads every `*.key` file of `dir`, hidden files (`.a.key`) excepted as with pyzmq's glob:
 * good files load, each bad one is reported in `errors`. Only regular files (as the listing
 * shows them; a link's target as opened) are read, opened without blocking, and never more than
 * 64 KiB + 1 bytes of one; the files are read synchronously in slices of
 * {@link READ_SLICE_MS} milliseconds, between which the event loop runs (10,000 files are read
 * about as fast as pyzmq's `load_certificates`, where a round trip to the file-I/O threads per
 * system call was several times slower).
 * Throws {@link CertificateError} naming the directory when it cannot be listed.
 */
export async function readCertificateDirectory(dir: string): Promise<CertificateDirectory> {
  const records = await readCertificateRecords(dir)
  const certificates = new Map<string, Record<string, string>>()
  for (const { result } of records.values())
    if (!(result instanceof Error)) certificates.set(result.publicKey, result.metadata)
  return { certificates, errors: errorsOf(records) }
}

/**
 * Reads every `*.key` file of `dir` as {@link readCertificateDirectory} does: one record per
 * file, by file name, in the order of the names. Throws {@link CertificateError} naming the
 * directory when it cannot be listed.
 */
export async function readCertificateRecords(dir: string): Promise<Map<string, CertificateFileRecord>> {
  let entries: Dirent[]
  try {
    entries = (await readdir(dir, { withFileTypes: true })).filter((entry) => isCertificateFileName(entry.name))
    // Read, and kept, in the order of their names (the order of loadCertificates' map).
    entries.sort((left, right) => compareNames(left.name, right.name))
  } catch (error) {
    throw new CertificateError(dir, `cannot list certificate directory: ${messageOf(error)}`, { cause: error })
  }
  // join(dir, name) for every name readdir gives (no "/", never "." or ".."), without normalising each.
  const prefix = join(dir, "_").slice(0, -1)
  const records = new Map<string, CertificateFileRecord>()
  let sliceEnd = performance.now() + READ_SLICE_MS
  for (const entry of entries) {
    if (performance.now() >= sliceEnd) {
      await nextTurn()
      sliceEnd = performance.now() + READ_SLICE_MS
    }
    records.set(entry.name, readCertificateRecordSync(prefix + entry.name, entry.isSymbolicLink(), entry.isFile()))
  }
  return records
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
  options: { onError?: (error: CertificateError) => void } = {}
): Promise<Map<string, Record<string, string>>> {
  const { certificates, errors } = await readCertificateDirectory(dir)
  if (options.onError === undefined) {
    if (errors[0] !== undefined) throw errors[0]
  } else {
    for (const error of errors) options.onError(error)
  }
  return certificates
}
