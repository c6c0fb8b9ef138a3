import { watch, type FSWatcher } from "node:fs"
import { CertificateError } from "../errors.js"
import { messageOf } from "../policy/timeout.js"
import { readCertificateDirectory, type CertificateDirectory } from "./load.js"

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
}

/**
 * Watches a certificate directory and reloads it, debounced, after files are added, changed or
 * removed. Neither the watcher nor its timer keeps the process alive.
 */
export class CertificateDirectoryWatcher {
  readonly #directory: string
  readonly #debounceMs: number
  readonly #onLoad: (loaded: CertificateDirectory) => void
  readonly #onFailure: (error: CertificateError) => void
  #watcher: FSWatcher | undefined
  #timer: NodeJS.Timeout | undefined
  #reloading: Promise<void> | undefined
  #again = false

  /**
   * @param onLoad receives each successful read of the directory
   * @param onFailure receives the error when the directory could not be read
   */
  constructor(
    directory: string,
    options: WatchOptions,
    onLoad: (loaded: CertificateDirectory) => void,
    onFailure: (error: CertificateError) => void,
  ) {
    this.#directory = directory
    this.#debounceMs = options.debounceMs ?? 100
    this.#onLoad = onLoad
    this.#onFailure = onFailure
  }

  /** Starts watching. Throws the `fs.watch` error when the directory cannot be watched. */
  start(): void {
    this.#watcher = watch(this.#directory, { persistent: false }, () => this.#schedule())
    this.#watcher.on("error", (error) => this.#onFailure(asCertificateError(this.#directory, error)))
  }

  /** Stops watching; a reload in progress is not applied. */
  close(): void {
    this.#watcher?.close()
    this.#watcher = undefined
    clearTimeout(this.#timer)
  }

  #schedule(): void {
    if (this.#watcher === undefined) return
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
        (loaded) => { if (this.#watcher !== undefined) this.#onLoad(loaded) },
        (error: unknown) => { if (this.#watcher !== undefined) this.#onFailure(asCertificateError(this.#directory, error)) },
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
