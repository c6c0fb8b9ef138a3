import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { inspect } from "node:util"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { curveKeyPair } from "zeromq"
import {
  Authenticator,
  AuthenticatorError,
  CertificateError,
  loadCertificate,
  normalizeCurveKey,
  z85,
} from "@zmq-auth/core"
import { thrownBy } from "../helpers/thrown-by.js"

/** A real key with the character at `position` replaced by `character`. */
function spoiled(key: string, position: number, character: string): string {
  return key.slice(0, position) + character + key.slice(position + 1)
}

/** Every 6-character piece of `key` found in the error's message, stack, cause or fields. */
function keyPiecesIn(error: unknown, key: string): string[] {
  const text = inspect(error, { depth: 8 })
  const pieces: string[] = []
  for (let start = 0; start + 6 <= key.length; start++)
    if (text.includes(key.slice(start, start + 6))) pieces.push(key.slice(start, start + 6))
  return pieces
}

// A key in Z85 uses 85 characters: the rest (quote, space, tilde, comma, non-ASCII) are bad.
const SPOILERS: Array<[position: number, character: string]> = [
  [0, '"'],
  [17, " "],
  [23, "~"],
  [39, ","],
  [31, "é"],
]

describe("errors about malformed CURVE keys never print the key", () => {
  const { secretKey, publicKey } = curveKeyPair()

  it("normalizeCurveKey names what is wrong and where the key came from, not the key", () => {
    for (const [position, character] of SPOILERS) {
      const bad = spoiled(secretKey, position, character)
      const error = thrownBy(() => normalizeCurveKey(bad, "server secret key"))
      expect(error).toBeInstanceOf(AuthenticatorError)
      expect((error as Error).message).toMatch(/^server secret key .*Z85/)
      expect(keyPiecesIn(error, bad)).toEqual([])
    }
  })

  it("configureCurveKeys names the position of the bad key in the list, not the key", () => {
    const bad = spoiled(secretKey, 17, " ")
    const engine = new Authenticator()
    const error = thrownBy(() => engine.configureCurveKeys("*", [publicKey, bad]))
    expect(error).toBeInstanceOf(AuthenticatorError)
    expect((error as Error).message).toContain("CURVE key #1")
    expect(keyPiecesIn(error, bad)).toEqual([])
  })

  it("z85.decode names the position of the bad character, not the text", () => {
    for (const [position, character] of SPOILERS) {
      const bad = spoiled(secretKey, position, character)
      const error = thrownBy(() => z85.decode(bad))
      expect(error).toBeInstanceOf(RangeError)
      expect((error as Error).message).toContain(`position ${position}`)
      expect(keyPiecesIn(error, bad)).toEqual([])
    }
  })

  describe("certificate files", () => {
    let directory = ""
    beforeAll(async () => {
      directory = await mkdtemp(join(tmpdir(), "zmq-auth-key-errors-"))
    })
    afterAll(async () => {
      await rm(directory, { recursive: true, force: true })
    })

    it("a secret key with a bad character is reported by file, without the key", async () => {
      const bad = spoiled(secretKey, 23, "~")
      const file = join(directory, "server.key_secret")
      await writeFile(file, `curve\n    public-key = "${publicKey}"\n    secret-key = "${bad}"\n`)
      const error = await loadCertificate(file).catch((thrown: unknown) => thrown)
      expect(error).toBeInstanceOf(CertificateError)
      expect(error).toMatchObject({ file, message: expect.stringContaining("malformed secret-key") })
      expect(keyPiecesIn(error, bad)).toEqual([])
    })

    it("a secret key pasted as the public key, with a bad character, is not printed either", async () => {
      const bad = spoiled(secretKey, 0, '"')
      const file = join(directory, "swapped.key")
      await writeFile(file, `curve\n    public-key = '${bad}'\n`)
      const error = await loadCertificate(file).catch((thrown: unknown) => thrown)
      expect(error).toMatchObject({ file, message: expect.stringContaining("malformed public-key") })
      expect(keyPiecesIn(error, bad)).toEqual([])
    })
  })
})
