import { close, constants, fstat, open, read, type BigIntStats } from "node:fs"

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
export function fileIdentity(stats: BigIntStats): string {
  return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`
}

/** A certificate file's text and the {@link fileIdentity} of the file it was read from. */
export interface CertificateFileText {
  text: string
  identity: string
}

/**
 * An `Error` from reading a certificate file; `identity` is the {@link fileIdentity} of the
 * file that was opened, when one was.
 */
export type CertificateFileError = Error & { identity?: string }

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
      let identity: string | undefined
      const finish = (error: CertificateFileError | null, text?: string): void => {
        close(fd, () => {
          if (error === null) return resolve({ text: text!, identity: identity! })
          if (identity !== undefined) error.identity = identity
          reject(error)
        })
      }
      fstat(fd, { bigint: true }, (statError, stats) => {
        if (statError !== null) return finish(statError)
        identity = fileIdentity(stats)
        if (!stats.isFile()) return finish(new Error("not a regular file"))
        if (stats.size > MAX_CERTIFICATE_BYTES) return finish(new Error(`larger than ${MAX_CERTIFICATE_BYTES} bytes, not a certificate`))
        const size = Number(stats.size)
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
function readInto(fd: number, buffer: Buffer, offset: number, done: (error: Error | null, length: number) => void): void {
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
