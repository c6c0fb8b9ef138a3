import { describe, expect, it } from "vitest"
import fc from "fast-check"
import { decodeKeyPart, encodeKeyPart, KeyLayout } from "@zmq-auth/redis"

const runs = Number(process.env.FUZZ_RUNS ?? 2000)

describe("key layout", () => {
  it("encodes every part without : { } or %-ambiguity, and decodes it back", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (text) => {
        const encoded = encodeKeyPart(text, "part")
        expect(encoded).toMatch(/^[A-Za-z0-9._%-]*$/)
        expect(decodeKeyPart(encoded)).toBe(text)
      }),
      { numRuns: runs }
    )
  })

  it("never gives two different credentials the same key, and parses every key back", () => {
    const layout = new KeyLayout("fleet")
    const part = fc.oneof(
      fc.string({ unit: "grapheme" }),
      fc.constantFrom("*", "", ":", "{", "}", "%", "%25", "a:b", "a%3Ab")
    )
    fc.assert(
      fc.property(part, part, part, part, (domainA, nameA, domainB, nameB) => {
        const a = layout.curve(domainA, nameA)
        const b = layout.curve(domainB, nameB)
        expect(a === b).toBe(domainA === domainB && nameA === nameB)
        expect(layout.parse(a)).toEqual({ kind: "curve", domain: domainA, publicKey: nameA })
        expect(layout.parse(layout.user(domainA, nameA))).toEqual({ kind: "user", domain: domainA, username: nameA })
        expect(layout.curve(domainA, nameA)).not.toBe(layout.user(domainA, nameA))
      }),
      { numRuns: runs }
    )
  })

  it("hash-tags the namespace so every key lands in one cluster slot, acks outside the tracked prefix", () => {
    const layout = new KeyLayout("prod{eu}")
    expect(layout.tag).toBe("{prod%7Beu%7D}")
    for (const key of [
      layout.generation,
      layout.curve("*", "k"),
      layout.user("d", "u"),
      layout.nodes,
      layout.node("n"),
    ]) {
      expect(key.slice(key.indexOf("{") + 1, key.indexOf("}"))).toBe("prod%7Beu%7D")
    }
    expect(layout.node("n").startsWith(layout.trackedPrefix)).toBe(false)
    expect(layout.nodes.startsWith(layout.trackedPrefix)).toBe(false)
    expect(layout.parse(layout.generation)).toEqual({ kind: "generation" })
    expect(layout.parse("{other}:c:k:a:b")).toBeUndefined()
    expect(layout.parse(`${layout.trackedPrefix}k:a%3:b`)).toBeUndefined()
  })

  it("rejects strings with unpaired surrogates, naming the part", () => {
    expect(() => encodeKeyPart("a\uDC00", "username")).toThrow(/username/)
    expect(() => new KeyLayout("\uD800")).toThrow(/namespace/)
  })

  it("decodeKeyPart refuses text the encoder cannot produce", () => {
    for (const text of ["a:b", "%3a", "%4", "%41", "{x}"]) expect(decodeKeyPart(text)).toBeUndefined()
  })
})
