import { copyFile, mkdir } from "node:fs/promises"
import { basename, join } from "node:path"
import { createCertificates, loadCertificate } from "@zmq-auth/core"

/** A CURVE key pair in Z85, as read back from its secret certificate file. */
export interface KeyPair {
  publicKey: string
  secretKey: string
}

/** The demo's key material, laid out as pyzmq's ironhouse example does. */
export interface DemoCertificates {
  /** Directory of the public certificates the server accepts (what `configureCurve` reads). */
  authorizedDirectory: string
  /** The server's key pair. */
  server: KeyPair
  /** Each client's key pair, by client name. */
  clients: Map<string, KeyPair>
}

/**
 * Creates a certificate for the server and for every client under `root/keys`, and copies the
 * public certificates of the `authorized` clients into `root/authorized`.
 */
export async function createDemoCertificates(
  root: string,
  authorized: readonly string[],
  unlisted: readonly string[]
): Promise<DemoCertificates> {
  const keyDirectory = join(root, "keys")
  const authorizedDirectory = join(root, "authorized")
  await mkdir(keyDirectory, { mode: 0o700 })
  await mkdir(authorizedDirectory)
  const server = await createKeyPair(keyDirectory, "server", { role: "publisher" })
  const clients = new Map<string, KeyPair>()
  for (const name of [...authorized, ...unlisted]) {
    const authorize = authorized.includes(name)
    const { publicFile, secretFile } = await createCertificates(keyDirectory, name, { name, role: "subscriber" })
    if (authorize) await copyFile(publicFile, join(authorizedDirectory, basename(publicFile)))
    clients.set(name, await readKeyPair(secretFile))
  }
  return { authorizedDirectory, server, clients }
}

async function createKeyPair(directory: string, name: string, metadata: Record<string, string>): Promise<KeyPair> {
  const { secretFile } = await createCertificates(directory, name, metadata)
  return readKeyPair(secretFile)
}

async function readKeyPair(secretFile: string): Promise<KeyPair> {
  const { publicKey, secretKey } = await loadCertificate(secretFile)
  if (secretKey === null) throw new Error(`${basename(secretFile)} has no secret key`)
  return { publicKey, secretKey }
}
