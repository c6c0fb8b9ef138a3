import { readdir } from "node:fs/promises"
import { AuthenticatorError, CertificateError, normalizeCurveKey } from "@zmq-auth/core"
import { AddressList, checkDomain, checkWatchOptions, messageOf, PasswordTable } from "@zmq-auth/core/internal"
import type { ConfigurationCall } from "./messages.js"

/**
 * Checks a configuration call made while no worker runs, with the core engine's validators and
 * typed errors, so it is rejected when it is made rather than when a worker replays it.
 * `listed` tells whether the recorded policy has an allow or a deny list (one excludes the
 * other). A certificate directory is only listed here (see {@link checkCertificateDirectory});
 * the worker reads its files.
 */
export function checkConfiguration(call: ConfigurationCall, listed: (list: "allow" | "deny") => boolean): void {
  switch (call.method) {
    case "allow":
      if (listed("deny"))
        throw new AuthenticatorError("allow() after deny(): use an allow list or a deny list, not both")
      void new AddressList(call.addresses)
      return
    case "deny":
      if (listed("allow"))
        throw new AuthenticatorError("deny() after allow(): use an allow list or a deny list, not both")
      void new AddressList(call.addresses)
      return
    case "configurePlain":
      checkDomain(call.domain)
      void new PasswordTable(call.passwords)
      return
    case "configureCurve":
      checkDomain(call.domain)
      checkWatchOptions(call.options)
      if (call.options?.watch !== undefined && typeof call.options.watch !== "boolean")
        throw new AuthenticatorError(`watch must be a boolean, got ${typeof call.options.watch}`)
      return
    case "configureCurveKeys":
      checkDomain(call.domain)
      call.keys.forEach((key, index) => normalizeCurveKey(key, `CURVE key #${index}`))
      return
    case "configureCurveCallback":
    case "configureGssapi":
      checkDomain(call.domain)
      return
  }
}

/**
 * Rejects with the engine's `CertificateError` naming `directory` when it cannot be listed, the
 * one failure that makes the engine reject `configureCurve` (bad files are reported by the
 * worker once it reads them).
 */
export async function checkCertificateDirectory(directory: string): Promise<void> {
  try {
    await readdir(directory)
  } catch (error) {
    throw new CertificateError(directory, `cannot list certificate directory: ${messageOf(error)}`, { cause: error })
  }
}
