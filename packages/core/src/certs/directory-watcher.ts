import { statSync, watch, type BigIntStats, type FSWatcher } from "node:fs"
import { stat } from "node:fs/promises"
import { AuthenticatorError, CertificateError } from "../errors.js"
import { messageOf } from "../policy/timeout.js"
import { join } from "node:path"
import { mapLimited } from "../map-limited.js"
import { PARALLEL_READS, readCertificateDirectory, recordsOf, type CertificateDirectory } from "./load.js"
import { fileIdentity } from "./read-certificate-file.js"

/** What a reload of a watched certificate directory found. */
export interface CertificateReloadEvent {
  /** The ZAP domain whose CURVE keys the directory holds. */
  domain: string
  /** The watched directory. */
  directory: string
  /** Keys that appeared since the last good load. */
  added: number
  /** Keys that disappeared since the last good load. */
  removed: number
  /** Keys in force after the reload. */
  total: number
  /** Files that could not be loaded (their keys are not accepted). */
  errors: CertificateError[]
  /** Set when the directory itself could not be read: the last good key set stays in force. */
  failure?: CertificateError
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
  if (options === null || typeof options !== "object") throw new AuthenticatorError(`watch options must be an object, got ${options === null ? "null" : typeof options}`)
  const { debounceMs, pollMs } = options as Record<string, unknown>
  if (debounceMs !== undefined && (typeof debounceMs !== "number" || !(debounceMs >= 0 && debounceMs <= MAX_TIMER_MS))) {
    throw new AuthenticatorError(`debounceMs must be a number of milliseconds from 0 to ${MAX_TIMER_MS}, got ${String(debounceMs)}`)
  }
  if (pollMs !== undefined && (typeof pollMs !== "number" || !(pollMs > 0 && pollMs <= MAX_TIMER_MS))) {
    throw new AuthenticatorError(`pollMs must be a number of milliseconds from 1 to ${MAX_TIMER_MS}, got ${String(pollMs)}`)
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
 * too. Neither the watcher nor its timers keep the process alive.
 */
export class CertificateDirectoryWatcher {
  readonly #directory: string
  readonly #debounceMs: number
  readonly #pollMs: number
  readonly #onLoad: (loaded: CertificateDirectory) => void
  readonly #onFailure: (error: CertificateError) => void
  #watcher: FSWatcher | undefined
  #identity: string | undefined
  #poll: NodeJS.Timeout | undefined
  #closed = false
  #timer: NodeJS.Timeout | undefined
  #reloading: Promise<void> | undefined
  #again = false
  /** The path of each symbolic link of the last load to the identity of its target, as last seen. */
  #links = new Map<string, string | undefined>()
  #checkingLinks = false

  /**
   * @param options validated with {@link checkWatchOptions}
   * @param onLoad receives each successful read of the directory
   * @param onFailure receives the error when the directory could not be read or watched
   */
  constructor(
    directory: string,
    options: WatchOptions,
    onLoad: (loaded: CertificateDirectory) => void,
    onFailure: (error: CertificateError) => void,
  ) {
    this.#directory = directory
    this.#debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS
    this.#pollMs = options.pollMs ?? DEFAULT_POLL_MS
    this.#onLoad = onLoad
    this.#onFailure = onFailure
  }

  /**
   * Starts watching. `loaded` is the read of the directory already applied: its symbolic links'
   * targets are compared from then on. Throws the `fs` error when the directory cannot be watched.
   */
  start(loaded?: CertificateDirectory): void {
    if (loaded !== undefined) this.#rememberLinks(loaded)
    this.#identity = identityOf(statSync(this.#directory, { bigint: true }))
    this.#arm()
    this.#poll = setInterval(() => {
      void this.#checkIdentity()
      void this.#checkLinks()
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
    const watcher = watch(this.#directory, { persistent: false }, () => this.#schedule())
    watcher.on("error", (error) => this.#onFailure(asCertificateError(this.#directory, error)))
    this.#watcher = watcher
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
    this.#schedule()
  }

  #rememberLinks(loaded: CertificateDirectory): void {
    const links = new Map<string, string | undefined>()
    for (const [name, record] of recordsOf(loaded)) if (record.link) links.set(join(this.#directory, name), record.identity)
    this.#links = links
  }

  /** Reloads when the target of a symbolic link is not the file last seen there. */
  async #checkLinks(): Promise<void> {
    if (this.#checkingLinks || this.#links.size === 0) return
    this.#checkingLinks = true
    try {
      const links = this.#links
      const paths = [...links.keys()]
      const identities = await mapLimited(paths, PARALLEL_READS, (path) =>
        stat(path, { bigint: true }).then(fileIdentity, () => undefined),
      )
      let changed = false
      paths.forEach((path, index) => {
        if (identities[index] === links.get(path)) return
        links.set(path, identities[index])
        changed = true
      })
      if (changed && links === this.#links) this.#schedule()
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
    this.#reloading = readCertificateDirectory(this.#directory)
      .then(
        (loaded) => {
          if (this.#closed) return
          this.#rememberLinks(loaded)
          this.#onLoad(loaded)
        },
        (error: unknown) => { if (!this.#closed) this.#onFailure(asCertificateError(this.#directory, error)) },
      )
      .finally(() => {
        this.#reloading = undefined
        if (this.#again) {
          this.#again = false
          this.#reload()
        }
      })
  }
}

function asCertificateError(directory: string, error: unknown): CertificateError {
  if (error instanceof CertificateError) return error
  return new CertificateError(directory, `cannot watch certificate directory: ${messageOf(error)}`, { cause: error })
}
