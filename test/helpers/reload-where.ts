import type { Authenticator, CertificateReloadEvent } from "@zmq-auth/core"

/** The first reload event of `engine` that satisfies `test`. */
export function reloadWhere(
  engine: Authenticator,
  test: (event: CertificateReloadEvent) => boolean
): Promise<CertificateReloadEvent> {
  return new Promise((resolve) => {
    const listener = (event: CertificateReloadEvent): void => {
      if (!test(event)) return
      engine.off("certificates:reload", listener)
      resolve(event)
    }
    engine.on("certificates:reload", listener)
  })
}
