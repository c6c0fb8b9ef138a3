import { EventEmitter } from "eventemitter3"
import { AuthenticatorError, type CertificateError } from "../errors.js"
import { callListener } from "../listener-warning.js"
import { keyIndexOf, type CurveKeySet } from "../policy/curve-key-set.js"
import { CertificateDirectoryWatcher, type DirectoryRead, type WatchOptions } from "./directory-watcher.js"
import { errorsOf, readCertificateRecords, type CertificateFileRecord } from "./load.js"

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

/** A reload of a {@link CertificateKeySet}: a {@link CertificateReloadEvent} without the domain (the set has none). */
export type KeySetReloadEvent = Omit<CertificateReloadEvent, "domain">

/** Events of {@link CertificateKeySet}. */
export interface CertificateKeySetEvents {
  /** The watched directory was reloaded (its keys swapped in at once), or could not be (`failure`: the keys stay). */
  reload: (event: KeySetReloadEvent) => void
}

const NO_RECORDS: ReadonlyMap<string, CertificateFileRecord> = new Map()

/** The public key of a record's good certificate file, `undefined` for a bad one or none. */
function publicKeyOf(record: CertificateFileRecord | undefined): string | undefined {
  const result = record?.result
  return result === undefined || result instanceof Error ? undefined : result.publicKey
}

/**
 * The CURVE keys of the good `*.key` files of a directory (see `readCertificateDirectory`), and,
 * once {@link CertificateKeySet.watch} was called, of the files as they change: each reload swaps
 * in the keys of exactly the good files at once (a deleted or broken file revokes its key), and a
 * reload that cannot read the directory keeps the keys in force.
 */
export class CertificateKeySet extends EventEmitter<CertificateKeySetEvents> implements CurveKeySet {
  /** The directory the keys are read from. */
  readonly directory: string
  /** The files of the first read that could not be loaded, in the order of their names. */
  readonly errors: readonly CertificateError[]
  readonly #keys = new Map<string, string>()
  /** Keys held by more than one file (by index): how many files beyond the first hold them. */
  readonly #extraFiles = new Map<string, number>()
  #records = NO_RECORDS
  #watcher: CertificateDirectoryWatcher | undefined
  #closed = false

  /** Reads `directory`. Rejects with {@link CertificateError} naming it when it cannot be listed. */
  static async read(directory: string): Promise<CertificateKeySet> {
    return new CertificateKeySet(directory, await readCertificateRecords(directory))
  }

  private constructor(directory: string, records: ReadonlyMap<string, CertificateFileRecord>) {
    super()
    this.directory = directory
    this.#apply({ records })
    this.errors = errorsOf(records)
  }

  lookup(key: Buffer): string | undefined {
    return this.#keys.get(key.toString("latin1"))
  }

  get size(): number {
    return this.#keys.size
  }

  /**
   * Reloads the directory on every change from now on (see `CertificateDirectoryWatcher` for
   * what is read again and when), each reload emitting `reload`. Throws the `fs` error when the
   * directory cannot be watched, {@link AuthenticatorError} when the set is closed or watched already.
   */
  watch(options: WatchOptions = {}): void {
    if (this.#closed) throw new AuthenticatorError(`cannot watch ${this.directory}: its key set is closed`)
    if (this.#watcher !== undefined) throw new AuthenticatorError(`${this.directory} is watched already`)
    const watcher = new CertificateDirectoryWatcher(
      this.directory,
      options,
      (read) => {
        const { added, removed } = this.#apply(read)
        const errors = errorsOf(read.records)
        this.#emitReload({ directory: this.directory, added, removed, total: this.size, errors })
      },
      (failure) => {
        const event = { directory: this.directory, added: 0, removed: 0, total: this.size, errors: [], failure }
        this.#emitReload(event)
      }
    )
    watcher.start(this.#records)
    this.#watcher = watcher
  }

  /** Stops watching (a reload in progress is not applied) and removes the listeners; the keys stay. */
  close(): void {
    this.#closed = true
    this.#watcher?.close()
    this.#watcher = undefined
    this.removeAllListeners()
  }

  #emitReload(event: KeySetReloadEvent): void {
    callListener("certificates:reload", () => this.emit("reload", event))
  }

  /**
   * Makes the keys of the good files of `read` the keys in force. Only the files that changed
   * are looked at when the read names them, and only keys that arrive or leave are decoded: a
   * change to one file of 10,000 costs a few map operations. Everything that can throw happens
   * before the first change to the keys, which are then changed in one synchronous step: a
   * decision sees the keys before the reload or after it, never a mix.
   */
  #apply({ records, changed }: DirectoryRead): { added: number; removed: number } {
    const before = this.#records
    const filesHolding = new Map<string, number>()
    const count = (key: string | undefined, files: number): void => {
      if (key !== undefined) filesHolding.set(key, (filesHolding.get(key) ?? 0) + files)
    }
    const compare = (name: string): void => {
      const was = publicKeyOf(before.get(name))
      const is = publicKeyOf(records.get(name))
      if (was === is) return
      count(was, -1)
      count(is, 1)
    }
    if (changed !== undefined) changed.forEach(compare)
    else {
      records.forEach((_record, name) => compare(name))
      before.forEach((_record, name) => records.has(name) || compare(name))
    }
    const changes: Array<[key: string, index: string, files: number]> = []
    for (const [key, files] of filesHolding) if (files !== 0) changes.push([key, keyIndexOf(key), files])
    let added = 0
    let removed = 0
    for (const [key, index, files] of changes) {
      const held = this.#keys.has(index) ? 1 + (this.#extraFiles.get(index) ?? 0) : 0
      const holding = held + files
      if (held === 0 && holding > 0) {
        this.#keys.set(index, key)
        added++
      } else if (held > 0 && holding === 0) {
        this.#keys.delete(index)
        removed++
      }
      if (holding > 1) this.#extraFiles.set(index, holding - 1)
      else this.#extraFiles.delete(index)
    }
    this.#records = records
    return { added, removed }
  }
}
