import { randomBytes } from "node:crypto"
import { mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { CertificateKeySet, type KeySetReloadEvent } from "../../packages/core/src/certs/certificate-key-set.js"
import { AuthenticatorError } from "../../packages/core/src/errors.js"
import { z85 } from "../../packages/core/src/zap/z85.js"

function newKey(): { raw: Buffer; text: string } {
  const raw = randomBytes(32)
  return { raw, text: z85.encode(raw) }
}

async function writeCertificate(dir: string, name: string, publicKey: string): Promise<void> {
  await writeFile(join(dir, name), `curve\n    public-key = "${publicKey}"\n`)
}

/** The first reload event of `keys` that satisfies `test`. */
function reloadWhere(keys: CertificateKeySet, test: (event: KeySetReloadEvent) => boolean): Promise<KeySetReloadEvent> {
  return new Promise((resolve) => {
    const listener = (event: KeySetReloadEvent): void => {
      if (!test(event)) return
      keys.off("reload", listener)
      resolve(event)
    }
    keys.on("reload", listener)
  })
}

describe("CertificateKeySet (the key set of a certificate directory)", () => {
  let dir = ""
  let keys: CertificateKeySet | undefined
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "zmq-auth-key-set-"))
  })
  afterEach(async () => {
    keys?.close()
    keys = undefined
    for (const path of [dir, `${dir}.new`, `${dir}.old`]) await rm(path, { recursive: true, force: true })
  })

  it("looks a client key up by its 32 bytes and answers its Z85 text; bad files are errors in name order", async () => {
    const [known, unknown] = [newKey(), newKey()]
    await writeCertificate(dir, "known.key", known.text)
    await writeFile(join(dir, "b-broken.key"), "not a certificate")
    await writeFile(join(dir, "a-broken.key"), 'curve\n    public-key = "short"\n')
    keys = await CertificateKeySet.read(dir)
    expect(keys.size).toBe(1)
    expect(keys.lookup(known.raw)).toBe(known.text)
    expect(keys.lookup(unknown.raw)).toBeUndefined()
    expect(keys.errors.map((error) => error.file)).toEqual([join(dir, "a-broken.key"), join(dir, "b-broken.key")])
  })

  it("a key held by two files stays until the last of them is deleted", async () => {
    const shared = newKey()
    await writeCertificate(dir, "a.key", shared.text)
    await writeCertificate(dir, "b.key", shared.text)
    keys = await CertificateKeySet.read(dir)
    expect(keys.size).toBe(1)
    keys.watch({ debounceMs: 0 })

    const first = reloadWhere(keys, () => true)
    await rm(join(dir, "a.key"))
    expect(await first).toMatchObject({ added: 0, removed: 0, total: 1 })
    expect(keys.lookup(shared.raw)).toBe(shared.text)

    const last = reloadWhere(keys, () => true)
    await rm(join(dir, "b.key"))
    expect(await last).toMatchObject({ added: 0, removed: 1, total: 0 })
    expect(keys.lookup(shared.raw)).toBeUndefined()
  })

  it("counts a file replaced by one with another key as one key added and one removed", async () => {
    const [old, fresh] = [newKey(), newKey()]
    await writeCertificate(dir, "replaced.key", old.text)
    keys = await CertificateKeySet.read(dir)
    keys.watch({ debounceMs: 0 })
    const replaced = reloadWhere(keys, () => true)
    await writeCertificate(dir, ".staged", fresh.text)
    await rename(join(dir, ".staged"), join(dir, "replaced.key"))
    expect(await replaced).toMatchObject({ added: 1, removed: 1, total: 1, errors: [] })
    expect(keys.lookup(fresh.raw)).toBe(fresh.text)
    expect(keys.lookup(old.raw)).toBeUndefined()
  })

  it("a whole read (another directory at the path) compares every file: a key that moved files stays", async () => {
    const [shared, gone, kept, arriving] = [newKey(), newKey(), newKey(), newKey()]
    await writeCertificate(dir, "shared-1.key", shared.text)
    await writeCertificate(dir, "gone.key", gone.text)
    await writeCertificate(dir, "kept.key", kept.text)
    keys = await CertificateKeySet.read(dir)
    keys.watch({ debounceMs: 0, pollMs: 20 })

    const replacement = `${dir}.new`
    await mkdir(replacement)
    await writeCertificate(replacement, "shared-2.key", shared.text)
    await writeCertificate(replacement, "shared-3.key", shared.text)
    await writeCertificate(replacement, "kept.key", kept.text)
    await writeCertificate(replacement, "arriving.key", arriving.text)
    const swapped = reloadWhere(keys, (event) => event.failure === undefined)
    await rename(dir, `${dir}.old`)
    await rename(replacement, dir)
    expect(await swapped).toMatchObject({ added: 1, removed: 1, total: 3 })
    expect([shared, kept, arriving].map((key) => keys!.lookup(key.raw))).toEqual([
      shared.text,
      kept.text,
      arriving.text,
    ])
    expect(keys.lookup(gone.raw)).toBeUndefined()

    // Two files still hold the shared key: deleting one of them keeps it.
    const one = reloadWhere(keys, (event) => event.total === 3)
    await rm(join(dir, "shared-2.key"))
    expect(await one).toMatchObject({ added: 0, removed: 0 })
    expect(keys.lookup(shared.raw)).toBe(shared.text)
    const other = reloadWhere(keys, (event) => event.total === 2)
    await rm(join(dir, "shared-3.key"))
    expect(await other).toMatchObject({ added: 0, removed: 1 })
    expect(keys.lookup(shared.raw)).toBeUndefined()
  })

  it("watching a closed set or watching twice throws AuthenticatorError; closing keeps the keys", async () => {
    const known = newKey()
    await writeCertificate(dir, "known.key", known.text)
    keys = await CertificateKeySet.read(dir)
    keys.watch()
    expect(() => keys!.watch()).toThrow(AuthenticatorError)
    keys.close()
    expect(() => keys!.watch()).toThrow(AuthenticatorError)
    expect(keys.lookup(known.raw)).toBe(known.text)
  })
})
