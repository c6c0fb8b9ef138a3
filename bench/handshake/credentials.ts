import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createCertificates, loadCertificate } from "@zmq-auth/core"
import { curveKeyPair } from "zeromq"

/** The security mechanisms the handshake benchmarks run. */
export type MechanismName = "NULL" | "PLAIN" | "CURVE"

/** Every mechanism, in table order. */
export const MECHANISMS: readonly MechanismName[] = ["NULL", "PLAIN", "CURVE"]

/** The ZAP domain of every hardened benchmark server. */
export const BENCH_DOMAIN = "bench"

/** A CURVE key pair in Z85. */
export interface KeyPair {
  publicKey: string
  secretKey: string
}

/** The users and keys shared by the clients, the engines and the pyzmq server of a run. */
export interface HandshakeCredentials {
  /** PLAIN username to password. */
  plainUsers: Record<string, string>
  /** The clients' CURVE key pairs; client n uses pair n modulo their count. */
  clientKeys: KeyPair[]
  /** The server's CURVE key pair. */
  serverKeys: KeyPair
  /** A directory holding the public certificate (`*.key`) of every client key. */
  certificateDirectory: string
  /** Deletes the certificate directory. */
  dispose(): Promise<void>
}

/** Creates `count` PLAIN users and CURVE client certificates (pyzmq's file format). */
export async function createCredentials(count = 32): Promise<HandshakeCredentials> {
  const certificateDirectory = await mkdtemp(join(tmpdir(), "zmq-auth-bench-"))
  const plainUsers: Record<string, string> = {}
  const clientKeys: KeyPair[] = []
  for (let index = 0; index < count; index++) {
    plainUsers[`user-${index}`] = `password-${index}-${Math.random().toString(36).slice(2)}`
    const { secretFile } = await createCertificates(certificateDirectory, `client-${index}`)
    const certificate = await loadCertificate(secretFile)
    clientKeys.push({ publicKey: certificate.publicKey, secretKey: certificate.secretKey! })
  }
  return {
    plainUsers,
    clientKeys,
    serverKeys: curveKeyPair(),
    certificateDirectory,
    dispose: () => rm(certificateDirectory, { recursive: true, force: true }),
  }
}
