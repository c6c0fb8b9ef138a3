import { describe, expect, it } from "vitest"
import { MemoryCredentialStore, type CredentialCheck, type CredentialVerdict } from "@zmq-auth/core"
import { describeCredentialStore, type CredentialStoreFactory } from "@zmq-auth/core/testing"

type Body = (context?: { skip?(note?: string): unknown }) => Promise<void>

/** Registers the kit's tests for `factory` without a framework and returns them by name. */
function kitTests(factory: CredentialStoreFactory, settleWithinMs = 200): Map<string, Body> {
  const tests = new Map<string, Body>()
  describeCredentialStore(
    "store",
    factory,
    { it: (name, body) => tests.set(name.replace(/^store: /, ""), body) },
    { settleWithinMs }
  )
  return tests
}

function kitTest(factory: CredentialStoreFactory, name: string): Body {
  const body = kitTests(factory).get(name)
  if (body === undefined) throw new Error(`the kit has no test named ${name}`)
  return body
}

class IgnoresFallbackRevocation extends MemoryCredentialStore {
  override async revokeCurveKey(domain: string, publicKey: string | Uint8Array) {
    return domain === "*" ? { generation: this.generation } : super.revokeCurveKey(domain, publicKey)
  }
}

class IgnoresDomainRevocationUnderFallbackEntry extends MemoryCredentialStore {
  override checkCurveKey(domain: string, publicKey: string, check?: CredentialCheck): CredentialVerdict {
    const own = super.checkCurveKey(domain, publicKey, check)
    return own === false || (typeof own === "object" && own.statusCode === 400)
      ? super.checkCurveKey("*", publicKey, check)
      : own
  }
}

class RemembersAcceptedBuffer extends MemoryCredentialStore {
  #accepted: Buffer | undefined
  override checkPlain(domain: string, username: string, password: Buffer, check?: CredentialCheck): CredentialVerdict {
    if (this.#accepted?.equals(password)) return { statusCode: 200, userId: username }
    const verdict = super.checkPlain(domain, username, password, check)
    if (typeof verdict === "object" && verdict.statusCode === 200) this.#accepted = password
    return verdict
  }
}

class LogsPasswordsInEvents extends MemoryCredentialStore {
  override checkPlain(domain: string, username: string, password: Buffer, check?: CredentialCheck): CredentialVerdict {
    this.emit("store:down", new Error(`check of ${username} with ${password.toString()}`))
    return super.checkPlain(domain, username, password, check)
  }
}

/** A store whose CURVE checks never settle, aborted or not. */
const ignoresAbort: CredentialStoreFactory = () => ({
  store: { checkCurveKey: () => new Promise<never>(() => undefined) },
  admin: new MemoryCredentialStore(),
})

class ForgetsExpiry extends MemoryCredentialStore {
  override async addCurveKey(
    domain: string,
    publicKey: string | Uint8Array,
    options: { userId?: string; notAfter?: Date } = {}
  ) {
    return super.addCurveKey(domain, publicKey, { ...options, notAfter: undefined })
  }
}

class AnswersMalformedVerdicts extends MemoryCredentialStore {
  override checkCurveKey(): CredentialVerdict {
    return { statusCode: 201 } as never
  }
}

describe("the credential store conformance kit", () => {
  it("registers every test under the group when given describe, and each test skips what the store lacks", async () => {
    const groups: string[] = []
    const names: string[] = []
    describeCredentialStore("Named", () => ({ store: new MemoryCredentialStore() }), {
      describe: (name, body) => {
        groups.push(name)
        body()
      },
      it: (name) => names.push(name),
    })
    expect(groups).toEqual(["Named"])
    expect(names.length).toBeGreaterThanOrEqual(20)
    expect(new Set(names).size).toBe(names.length)

    const skipped: string[] = []
    const curveOnly: CredentialStoreFactory = () => {
      const memory = new MemoryCredentialStore()
      return {
        store: { checkCurveKey: (domain: string, key: string) => memory.checkCurveKey(domain, key) },
        admin: memory,
      }
    }
    for (const [name, body] of kitTests(curveOnly)) await body({ skip: (note) => skipped.push(`${name}: ${note}`) })
    expect(skipped.filter((line) => line.startsWith("PLAIN:")).length).toBeGreaterThan(0)
    expect(skipped.every((line) => line.startsWith("PLAIN:") || /offer (makeUnavailable|close)/.test(line))).toBe(true)
  })

  it("validates what it is given with TypeError naming it", () => {
    const factory = () => ({ store: new MemoryCredentialStore() })
    expect(() => describeCredentialStore("x", "no" as never, { it: () => undefined })).toThrow(/factory/)
    expect(() => describeCredentialStore("x", factory, {} as never)).toThrow(/api\.it/)
    expect(() => describeCredentialStore("x", factory, { it: () => undefined }, { settleWithinMs: 0 })).toThrow(
      /settleWithinMs/
    )
  })

  const failures: Array<[string, CredentialStoreFactory, string, RegExp]> = [
    [
      "a revocation under '*' that is not applied",
      () => ({ store: new IgnoresFallbackRevocation() }),
      "CURVE: a revocation under '*' wins over the key under any domain, whatever the order",
      /200/,
    ],
    [
      "a domain tombstone that the '*' entry overrides",
      () => ({ store: new IgnoresDomainRevocationUnderFallbackEntry() }),
      "CURVE: a revocation under the domain wins over the key under '*', for that domain only",
      /200/,
    ],
    [
      "an expiry that is not kept",
      () => ({ store: new ForgetsExpiry() }),
      "CURVE: denies a key past its notAfter and admits one before it",
      /200/,
    ],
    [
      "a store that remembers the Buffer it admitted",
      () => ({ store: new RemembersAcceptedBuffer() }),
      "PLAIN: keeps nothing of the password bytes it was given once the check settled",
      /altered bytes were admitted/,
    ],
    [
      "a password in an event",
      () => ({ store: new LogsPasswordsInEvents() }),
      "PLAIN: puts no password in verdicts, events or errors",
      /password was found at .*events/,
    ],
    [
      "a check that ignores its aborted signal",
      ignoresAbort,
      "settles promptly a check whose signal is already aborted",
      /did not settle within 200 ms/,
    ],
    [
      "a check that ignores an abort while it runs",
      ignoresAbort,
      "settles promptly a check aborted while it runs, also once unavailable",
      /aborted while running did not settle/,
    ],
    [
      "an allow while unavailable",
      () => ({ store: new MemoryCredentialStore(), makeUnavailable: () => undefined }),
      "answers 300, never 200, for known and unknown credentials once unavailable",
      /300/,
    ],
    [
      "a malformed verdict",
      () => ({ store: new AnswersMalformedVerdicts() }),
      "CURVE: denies a key it does not have",
      /malformed verdict: statusCode 201/,
    ],
  ]
  for (const [fault, factory, name, message] of failures) {
    it(`fails ${fault}`, async () => {
      await expect(kitTest(factory, name)()).rejects.toThrow(message)
    })
  }
})
