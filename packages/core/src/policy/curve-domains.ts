import { CertificateKeySet, type CertificateReloadEvent } from "../certs/certificate-key-set.js"
import type { WatchOptions } from "../certs/directory-watcher.js"
import { warnNoCertificates } from "../certs/empty-directory-warning.js"
import { messageOf } from "../error-text.js"
import { AuthenticatorError, type CertificateError } from "../errors.js"
import { metricsRecorder } from "../metrics/current-recorder.js"
import { recordCertificateLoad } from "../metrics/decision-metrics.js"
import type { CurvePolicy } from "./curve-policy.js"
import { lookupDomain } from "./domain-table.js"

/** Options of `Authenticator.configureCurve`. */
export interface ConfigureCurveOptions extends WatchOptions {
  /**
   * Reload the directory when files are added, changed or removed (debounced by `debounceMs`),
   * so revoking a client is deleting its file. Default false.
   */
  watch?: boolean
}

/** What {@link CurveDomains} reports of certificate directories (the engine emits them as events). */
export interface CertificateReports {
  /** A file of a directory read could not be loaded; the others were. */
  certificateError(error: CertificateError): void
  /** A watched directory was reloaded (or failed to, keeping its keys), or a read gave no key at all. */
  reload(event: CertificateReloadEvent): void
}

/**
 * The CURVE policy of each ZAP domain. A domain's policy is replaced at once; the key set it
 * replaces is closed (which stops its watch), and a directory read of the domain overtaken by a
 * newer configuration of the domain is discarded.
 */
export class CurveDomains {
  readonly #policies = new Map<string, CurvePolicy>()
  /** Configurations of each domain so far: a read that finds another count than at its start is overtaken. */
  readonly #generations = new Map<string, number>()
  readonly #reports: CertificateReports
  #closed = false

  constructor(reports: CertificateReports) {
    this.#reports = reports
  }

  /** Whether {@link CurveDomains.close} was called: no directory is watched from then on. */
  get closed(): boolean {
    return this.#closed
  }

  /** The policy of `domain`, or the fallback `"*"` policy when the domain has none of its own. */
  lookup(domain: string): CurvePolicy | undefined {
    return lookupDomain(this.#policies, domain)
  }

  /** Makes `policy` the policy of `domain`. */
  set(domain: string, policy: CurvePolicy): void {
    this.#nextGeneration(domain)
    const previous = this.#policies.get(domain)
    this.#policies.set(domain, policy)
    if (previous?.kind === "keys") previous.keys.close?.()
  }

  /**
   * Reads `directory` and makes its keys the policy of `domain`, watched with `options.watch`
   * (see `Authenticator.configureCurve`), unless the domain was configured again meanwhile.
   * Rejects with {@link CertificateError} when the directory cannot be listed and with
   * {@link AuthenticatorError} when it cannot be watched; the domain's policy then stays.
   */
  async readDirectory(domain: string, directory: string, options: ConfigureCurveOptions): Promise<void> {
    const generation = this.#nextGeneration(domain)
    const keys = await CertificateKeySet.read(directory)
    if (this.#generations.get(domain) !== generation) return
    if (options.watch === true) this.#watch(domain, keys, options)
    const previous = this.#policies.get(domain)
    this.set(domain, { kind: "keys", keys })
    const errors = [...keys.errors]
    for (const error of errors) this.#reports.certificateError(error)
    recordCertificateLoad(metricsRecorder(), domain, "ok", keys.size)
    if (keys.size > 0) return
    const removed = previous?.kind === "keys" ? previous.keys.size : 0
    this.#reports.reload({ domain, directory, added: 0, removed, total: 0, errors })
    warnNoCertificates(directory, domain)
  }

  /** Closes every key set (watched directories stop being watched); the keys in force stay. */
  close(): void {
    this.#closed = true
    for (const policy of this.#policies.values()) if (policy.kind === "keys") policy.keys.close?.()
  }

  #nextGeneration(domain: string): number {
    const generation = (this.#generations.get(domain) ?? 0) + 1
    this.#generations.set(domain, generation)
    return generation
  }

  /** Watches the directory of `keys`, its reloads reported as reloads of `domain`. */
  #watch(domain: string, keys: CertificateKeySet, options: WatchOptions): void {
    if (this.#closed)
      throw new AuthenticatorError(`cannot watch ${keys.directory}: the Authenticator was closed while it was read`)
    try {
      keys.watch(options)
    } catch (error) {
      throw new AuthenticatorError(`cannot watch certificate directory ${keys.directory}: ${messageOf(error)}`, {
        cause: error,
      })
    }
    keys.on("reload", (event) => {
      recordCertificateLoad(metricsRecorder(), domain, event.failure === undefined ? "ok" : "failed", event.total)
      this.#reports.reload({ domain, ...event })
    })
  }
}
