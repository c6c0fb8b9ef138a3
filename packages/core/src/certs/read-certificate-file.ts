import { close, closeSync, constants, fstat, fstatSync, open, openSync, read, readSync, type Stats } from "node:fs"

/**
 * The largest certificate file read, in bytes. Real ones are well under 1 KiB (two keys and a
 * few metadata lines); anything bigger is not a certificate and is not read into memory.
 */
export const MAX_CERTIFICATE_BYTES = 64 * 1024

/** Opening without blocking: a FIFO or a device named `*.key` must not stall a file-I/O thread. */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0)

/**
 * Which file, in which state, `stats` describe: device, inode, size, modification and change
 * times. Any write, replacement (another inode) or permission change gives another identity.
 */
export function fileIdentity(stats: Stats): string {
  return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}`
}

/** A certificate file's text and the `fstat` of the file it was read from, when it was examined. */
export interface CertificateFileText {
  text: string
  stats: Stats | undefined
}

/** An `Error` from reading a certificate file; `stats` describe the file opened, when one was. */
export type CertificateFileError = Error & { stats?: Stats }

/** Why a file that `stats` describe is not read, or `undefined` when it is a certificate candidate. */
function refusal(stats: Stats): Error | undefined {
  if (!stats.isFile()) return new Error("not a regular file")
  if (stats.size > MAX_CERTIFICATE_BYTES) return tooLarge()
  return undefined
}

/**
 * Where {@link readCertificateFileSync} reads: one file at a time, so one buffer. Memory of its
 * own (never Node's shared pool: a file may hold a secret key), wiped after each file.
 */
const SCRATCH = Buffer.allocUnsafeSlow(MAX_CERTIFICATE_BYTES + 1)

/**
 * Reads a certificate file as {@link readCertificateFile} does, synchronously: for reading many
 * small files in time-bounded slices of the event loop, where a round trip to the file-I/O
 * threads per system call would cost more than the call. Opening never blocks (a FIFO is
 * opened non-blocking), and at most {@link MAX_CERTIFICATE_BYTES} + 1 bytes are read.
 *
 * `listedAsFile`: the directory listing says the entry is a regular file (not a link), so the
 * file is not examined with `fstat` (a fifth of the cost of a file): its size is checked by
 * reading at most one byte more than the cap. Should the entry have been replaced since the
 * listing, by a FIFO or a device, opening and reading still never block and never read more.
 * Any other entry is examined (a link's target must be a regular file).
 *
 * Throws an `Error` saying why, with `stats` set when the file was examined.
 */
export function readCertificateFileSync(file: string, listedAsFile = false): CertificateFileText {
  const fd = openSync(file, OPEN_FLAGS)
  let stats: Stats | undefined
  let length = 0
  try {
    let asked = MAX_CERTIFICATE_BYTES + 1
    if (!listedAsFile) {
      stats = fstatSync(fd)
      const refused = refusal(stats)
      if (refused !== undefined) throw refused
      // One byte more than the size: a file that grew since fstat is noticed.
      asked = stats.size + 1
    }
    // A regular file returns less than asked only at its end, so one read call is enough.
    length = readSync(fd, SCRATCH, 0, asked, null)
    if (length > MAX_CERTIFICATE_BYTES) throw tooLarge()
    if (length === asked) throw new Error("changed while it was read")
    return { text: SCRATCH.toString("utf8", 0, length), stats }
  } catch (error) {
    if (stats !== undefined) (error as CertificateFileError).stats = stats
    throw error
  } finally {
    SCRATCH.fill(0, 0, length)
    closeSync(fd)
  }
}

function tooLarge(): Error {
  return new Error(`larger than ${MAX_CERTIFICATE_BYTES} bytes, not a certificate`)
}

/**
 * Reads a certificate file as UTF-8 text. Only regular files of at most
 * {@link MAX_CERTIFICATE_BYTES} are read: a FIFO, socket or device (which could block forever)
 * and oversized files are refused with an `Error` saying why, without reading them. Uses the
 * callback API, which is several times faster than `fs/promises` on many small files.
 */
export function readCertificateFile(file: string): Promise<CertificateFileText> {
  return new Promise((resolve, reject) => {
    open(file, OPEN_FLAGS, (openError, fd) => {
      if (openError !== null) {
        reject(openError)
        return
      }
      let opened: Stats | undefined
      const finish = (error: CertificateFileError | null, text?: string): void => {
        close(fd, () => {
          if (error === null) return resolve({ text: text!, stats: opened! })
          if (opened !== undefined) error.stats = opened
          reject(error)
        })
      }
      fstat(fd, (statError, stats) => {
        if (statError !== null) return finish(statError)
        opened = stats
        const refused = refusal(stats)
        if (refused !== undefined) return finish(refused)
        const size = stats.size
        // One byte more than the size: a file that grew since fstat is noticed. Memory of its
        // own, not the shared pool (the file may hold a secret key), wiped once decoded.
        const buffer = Buffer.allocUnsafeSlow(size + 1)
        readInto(fd, buffer, 0, (readError, length) => {
          const text = readError === null && length <= size ? buffer.toString("utf8", 0, length) : undefined
          buffer.fill(0)
          if (readError !== null) return finish(readError)
          if (text === undefined) return finish(new Error("changed while it was read"))
          finish(null, text)
        })
      })
    })
  })
}

/** Reads from `fd` into `buffer` from `offset` until the end of the file or a full buffer. */
function readInto(
  fd: number,
  buffer: Buffer,
  offset: number,
  done: (error: Error | null, length: number) => void
): void {
  if (offset === buffer.length) {
    done(null, offset)
    return
  }
  read(fd, buffer, offset, buffer.length - offset, null, (error, bytesRead) => {
    if (error !== null) done(error, offset)
    else if (bytesRead === 0) done(null, offset)
    else readInto(fd, buffer, offset + bytesRead, done)
  })
}
