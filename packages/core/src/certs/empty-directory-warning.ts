/** Directories already warned about, so that each is named once per process. */
const warned = new Set<string>()

/**
 * Warns once per process (`process.emitWarning`, code `ZMQ_AUTH_NO_CERTIFICATES`) that a
 * certificate directory gave no CURVE key: nearly always a wrong path, and every CURVE client
 * of the domain is then denied.
 */
export function warnNoCertificates(directory: string, domain: string): void {
  if (warned.has(directory)) return
  warned.add(directory)
  process.emitWarning(
    `zmq-auth: no CURVE key loaded from certificate directory ${directory} ` +
      `(ZAP domain ${JSON.stringify(domain)}): every CURVE client of the domain is denied; is the path right?`,
    { code: "ZMQ_AUTH_NO_CERTIFICATES" }
  )
}
