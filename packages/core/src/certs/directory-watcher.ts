import { lstatSync, statSync, watch, type BigIntStats, type FSWatcher } from "node:fs"
import { stat } from "node:fs/promises"
import { join } from "node:path"
import { AuthenticatorError, CertificateError } from "../errors.js"
import { mapLimited } from "../map-limited.js"
import { messageOf } from "../error-text.js"
import { isCertificateFileName } from "./certificate-file-name.js"
import {
  PARALLEL_READS,
  readCertificateRecords,
  readCertificateRecordSync,
  type CertificateFileRecord,
} from "./load.js"
import { fileIdentity } from "./read-certificate-file.js"

/** A read of a watched certificate directory. */
export interface DirectoryRead {
  /** The records of its `*.key` files, by file name. */
  readonly records: ReadonlyMap<string, CertificateFileRecord>
  /**
   * When only some files were read again: their names (every other record is the one of the
   * previous read). Absent when the whole directory was read.
   */
  readonly changed?: ReadonlySet<string>
}

/** Options of a watched certificate directory. */
export interface WatchOptions {
  /** Milliseconds to wait after the last change before reloading. Default 100. */
  debounceMs?: number
  /**
   * Milliseconds between checks that the path still names the directory being watched, and that
   * the files its `*.key` symbolic links point to are the ones read. A directory replaced by
   * another (renamed into place, or removed and created again) is watched anew and reloaded; a
   * link whose target was deleted, replaced or changed makes a reload (a change outside the
   * directory is not reported by the directory's watch). Default 1000.
   */
  pollMs?: number
}

const DEFAULT_DEBOUNCE_MS = 100
const DEFAULT_POLL_MS = 1000
/** The longest delay Node's timers take; longer ones fire after 1 ms instead. */
const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * Throws {@link AuthenticatorError} naming the option when `options` is not a valid
 * {@link WatchOptions} object (`undefined` is valid: every default).
 */
export function checkWatchOptions(options: unknown): asserts options is WatchOptions | undefined {
  if (options === undefined) return
  if (options === null || typeof options !== "object")
    throw new AuthenticatorError(`watch options must be an object, got ${options === null ? "null" : typeof options}`)
  const { debounceMs, pollMs } = options as Record<string, unknown>
  if (
    debounceMs !== undefined &&
    (typeof debounceMs !== "number" || !(debounceMs >= 0 && debounceMs <= MAX_TIMER_MS))
  ) {
    throw new AuthenticatorError(
      `debounceMs must be a number of milliseconds from 0 to ${MAX_TIMER_MS}, got ${String(debounceMs)}`
    )
  }
  if (pollMs !== undefined && (typeof pollMs !== "number" || !(pollMs > 0 && pollMs <= MAX_TIMER_MS))) {
    throw new AuthenticatorError(
      `pollMs must be a number of milliseconds from 1 to ${MAX_TIMER_MS}, got ${String(pollMs)}`
    )
  }
}

/**
 * Which directory a path names: a directory replaced by another has another identity. The
 * birth time tells a directory created again apart from the removed one even when the file
 * system hands it the same inode number.
 */
function identityOf(stats: BigIntStats): string {
  return `${stats.dev}:${stats.ino}:${stats.birthtimeNs}`
}

/**
 * Watches a certificate directory and reloads it, debounced, after files are added, changed or
 * removed. When the path comes to name another directory (one renamed into place, or the
 * directory removed and created again), that one is watched and loaded instead. The targets of
 * `*.key` symbolic links are compared on each poll with the files read, so revoking a key by
 * deleting or replacing a link's target (a layout of configuration management tools) is seen
 * too. Only the files that notifications name are read again (a change to one file of 10,000
 * reads one file); a notification without a name, another directory at the path, or a burst of
 * more than 256 files reads the whole directory. Neither the watcher nor its timers keep the
 * process alive.
 */
export class CertificateDirectoryWatcher {
  readonly #directory: string
  readonly #debounceMs: number
  readonly #pollMs: number
  readonly #onLoad: (read: DirectoryRead) => void
  readonly #onFailure: (error: CertificateError) => void
  #watcher: FSWatcher | undefined
  #identity: string | undefined
  #poll: NodeJS.Timeout | undefined
  #closed = false
  #timer: NodeJS.Timeout | undefined
  #reloading: Promise<void> | undefined
  #again = false
  /** The files in force by name, or `undefined` until a whole read of the directory was applied. */
  #records: ReadonlyMap<string, CertificateFileRecord> | undefined
  /** Files named by change notifications since the last reload began. */
  #changed = new Set<string>()
  /** Set when the next reload must read the whole directory (a notification without a name, another directory). */
  #readAll = false
  /** The name of each symbolic link in force to the identity of its target, as last seen. */
  #links = new Map<string, string | undefined>()
  #checkingLinks = false
  /** Polls since the whole directory was last read. */
  #pollsSinceFullRead = 0
  /** Set when the next reload is only the periodic full read: applied only if something differs. */
  #safetyRead = false

  /**
   * @param options validated with {@link checkWatchOptions}
   * @param onLoad receives each successful read of the directory
   * @param onFailure receives the error when the directory could not be read or watched
   */
  constructor(
    directory: string,
    options: WatchOptions,
    onLoad: (read: DirectoryRead) => void,
    onFailure: (error: CertificateError) => void
  ) {
    this.#directory = directory
    this.#debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS
    this.#pollMs = options.pollMs ?? DEFAULT_POLL_MS
    this.#onLoad = onLoad
    this.#onFailure = onFailure
  }

  /**
   * Starts watching. `records` are the file records of the read of the directory already
   * applied: from then on only the files named by change notifications are read again, and its
   * symbolic links' targets are compared on each poll. Without them, the first reload reads the
   * whole directory. Throws the `fs` error when the directory cannot be watched.
   */
  start(records?: ReadonlyMap<string, CertificateFileRecord>): void {
    if (records !== undefined) this.#remember(records)
    this.#identity = identityOf(statSync(this.#directory, { bigint: true }))
    this.#arm()
    this.#poll = setInterval(() => {
      void this.#checkIdentity()
      void this.#checkLinks()
      // Notifications can be lost (an overflowing inotify queue drops them silently): now and
      // then the whole directory is read, so a deleted key file cannot stay in force.
      if (++this.#pollsSinceFullRead >= FULL_READ_POLLS && this.#reloading === undefined) {
        // Not debounced: a debounce longer than the poll would be pushed back at every poll.
        this.#safetyRead = this.#changed.size === 0 && !this.#readAll
        this.#readAll = true
        this.#reload()
      }
    }, this.#pollMs)
    this.#poll.unref()
  }

  /** Stops watching; a reload in progress is not applied. */
  close(): void {
    this.#closed = true
    this.#watcher?.close()
    this.#watcher = undefined
    clearTimeout(this.#timer)
    clearInterval(this.#poll)
  }

  #arm(): void {
    this.#watcher?.close()
    this.#watcher = undefined
    const watcher = watch(this.#directory, { persistent: false }, (_event, name) => this.#noteChange(name))
    watcher.on("error", (error) => this.#onFailure(asCertificateError(this.#directory, error)))
    this.#watcher = watcher
  }

  /** Remembers what a notification named (nothing: the whole directory) and schedules a reload. */
  #noteChange(name: string | Buffer | null | undefined): void {
    if (typeof name !== "string" || name === "" || name.includes("/")) this.#readAll = true
    else if (isCertificateFileName(name)) this.#changed.add(name)
    else return
    this.#schedule()
  }

  /** Watches and reloads the directory the path names now, when it is not the one watched. */
  async #checkIdentity(): Promise<void> {
    let identity: string
    try {
      identity = identityOf(await stat(this.#directory, { bigint: true }))
    } catch {
      // Gone for now: a reload reports it, and whatever is created there next is watched anew.
      this.#identity = undefined
      return
    }
    if (this.#closed || identity === this.#identity) return
    this.#identity = identity
    try {
      this.#arm()
    } catch (error) {
      this.#identity = undefined
      this.#onFailure(asCertificateError(this.#directory, error))
      return
    }
    this.#readAll = true
    this.#schedule()
  }

  #remember(records: ReadonlyMap<string, CertificateFileRecord>): void {
    this.#records = records
    const links = new Map<string, string | undefined>()
    for (const [name, record] of records) if (record.link) links.set(name, record.identity)
    this.#links = links
  }

  /** Reloads the symbolic links whose target is not the file last seen there. */
  async #checkLinks(): Promise<void> {
    if (this.#checkingLinks || this.#links.size === 0) return
    this.#checkingLinks = true
    try {
      const links = this.#links
      const names = [...links.keys()]
      const identities = await mapLimited(names, PARALLEL_READS, (name) =>
        stat(join(this.#directory, name)).then(fileIdentity, () => undefined)
      )
      if (links !== this.#links || this.#closed) return
      let changed = false
      names.forEach((name, index) => {
        if (identities[index] === links.get(name)) return
        links.set(name, identities[index])
        this.#changed.add(name)
        changed = true
      })
      if (changed) this.#schedule()
    } finally {
      this.#checkingLinks = false
    }
  }

  #schedule(): void {
    if (this.#closed) return
    clearTimeout(this.#timer)
    this.#timer = setTimeout(() => this.#reload(), this.#debounceMs)
    this.#timer.unref()
  }

  #reload(): void {
    if (this.#reloading !== undefined) {
      this.#again = true
      return
    }
    const changed = this.#changed
    const readAll = this.#readAll || this.#records === undefined || changed.size > MAX_FILES_READ_AGAIN
    const safetyRead = this.#safetyRead
    const previous = this.#records
    this.#changed = new Set()
    this.#readAll = false
    this.#safetyRead = false
    if (readAll) this.#pollsSinceFullRead = 0
    const reading = readAll ? this.#readWhole() : this.#readAgain(this.#records!, changed)
    this.#reloading = reading
      .then(
        (read) => {
          if (this.#closed) return
          this.#remember(read.records)
          if (safetyRead && previous !== undefined && sameRecords(previous, read.records)) return
          this.#onLoad(read)
        },
        (error: unknown) => {
          if (this.#closed) return
          // What was named may not have been read: the next reload reads everything.
          this.#readAll = true
          this.#onFailure(asCertificateError(this.#directory, error))
        }
      )
      .finally(() => {
        this.#reloading = undefined
        if (this.#again) {
          this.#again = false
          this.#reload()
        }
      })
  }

  async #readWhole(): Promise<DirectoryRead> {
    return { records: await readCertificateRecords(this.#directory) }
  }

  /**
   * A copy of `records` with the files named `names` read again (a file gone is dropped). When
   * the path no longer names the directory watched, the whole directory is read instead (and a
   * directory that cannot be listed rejects, so the last keys stay in force).
   */
  async #readAgain(
    records: ReadonlyMap<string, CertificateFileRecord>,
    names: ReadonlySet<string>
  ): Promise<DirectoryRead> {
    const identity = await stat(this.#directory, { bigint: true }).then(identityOf, () => undefined)
    if (identity === undefined || identity !== this.#identity) return this.#readWhole()
    const next = new Map(records)
    for (const name of names) {
      const file = join(this.#directory, name)
      const entry = lstatSync(file, { throwIfNoEntry: false })
      if (entry === undefined) next.delete(name)
      else next.set(name, readCertificateRecordSync(file, entry.isSymbolicLink(), entry.isFile()))
    }
    return { records: next, changed: names }
  }
}

/**
 * Most files read again one by one after a burst of changes; past it, the whole directory is
 * read (cheaper per file, and safe should the system have dropped notifications in the burst).
 */
const MAX_FILES_READ_AGAIN = 256

/** Polls between two reads of the whole directory (a minute at the default `pollMs`). */
const FULL_READ_POLLS = 60

/** Whether two reads of a directory found the same files with the same keys (or the same errors). */
function sameRecords(
  before: ReadonlyMap<string, CertificateFileRecord>,
  after: ReadonlyMap<string, CertificateFileRecord>
): boolean {
  if (before.size !== after.size) return false
  for (const [name, record] of after) {
    const earlier = before.get(name)
    if (earlier === undefined || earlier.identity !== record.identity) return false
    const [was, is] = [earlier.result, record.result]
    if (was instanceof CertificateError || is instanceof CertificateError) {
      if (!(was instanceof CertificateError && is instanceof CertificateError && was.message === is.message))
        return false
    } else if (was.publicKey !== is.publicKey) return false
  }
  return true
}

function asCertificateError(directory: string, error: unknown): CertificateError {
  if (error instanceof CertificateError) return error
  return new CertificateError(directory, `cannot watch certificate directory: ${messageOf(error)}`, { cause: error })
}
