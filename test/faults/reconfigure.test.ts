import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { curveKeyPair } from "zeromq"
import { z85 } from "@zmq-auth/core"
import type { AdapterUnderTest, EngineConfig, ServedEngine } from "../helpers/adapter.js"
import { loopAdapter } from "../helpers/loop-adapter.js"
import { rxAdapter } from "../helpers/rx-adapter.js"
import { threadAdapter } from "../helpers/thread-adapter.js"
import { ZapClient, type RawZapReply } from "../fuzz/zap-client.js"

// Reconfiguration while 2,000 ZAP requests are in flight (sent from a DEALER straight to the
// handler). Each request is one of several kinds whose answer tells which policy decided it;
// every answer must fit the old or the new policy, and in answer order the policies must not
// alternate: old ... old, then new ... new. A policy applied by halves (a partly loaded key
// directory, a table half replaced) shows up as a kind answered by neither, or as a flip back.

const REQUESTS = 2000
const RECONFIGURE_AFTER = 500
const TAIL = 200

type Policy = "old" | "new"

interface Kind {
  name: string
  frames: (requestId: string) => Buffer[]
  /** The status code each policy gives this kind. */
  expected: Record<Policy, "200" | "400">
}

const request = (requestId: string, mechanism: string, ...credentials: Array<string | Buffer>): Buffer[] =>
  ["1.0", requestId, "reconfigure", "127.0.0.1", "", mechanism, ...credentials].map((frame) =>
    typeof frame === "string" ? Buffer.from(frame) : frame
  )

const PLAIN_KINDS: Kind[] = [
  {
    name: "admin/old-pass",
    frames: (id) => request(id, "PLAIN", "admin", "old-pass"),
    expected: { old: "200", new: "400" },
  },
  {
    name: "admin/new-pass",
    frames: (id) => request(id, "PLAIN", "admin", "new-pass"),
    expected: { old: "400", new: "200" },
  },
  { name: "olduser", frames: (id) => request(id, "PLAIN", "olduser", "x"), expected: { old: "200", new: "400" } },
  { name: "newuser", frames: (id) => request(id, "PLAIN", "newuser", "y"), expected: { old: "400", new: "200" } },
]

/** Which policies could have given `reply` to `kind`. */
function policiesFor(kind: Kind, reply: RawZapReply): Policy[] {
  return (["old", "new"] as const).filter((policy) => kind.expected[policy] === reply.statusCode)
}

/**
 * Sends REQUESTS requests cycling over `kinds`; once RECONFIGURE_AFTER replies came back, starts
 * `reconfigure` while the rest are in flight. When it has resolved, TAIL more requests follow:
 * those must all meet the new policy. Returns, in reply order, the policy each reply fits.
 */
async function underLoad(
  kinds: readonly Kind[],
  reconfigure: () => Promise<unknown>
): Promise<{ order: Array<{ kind: Kind; policy: Policy; afterResolve: boolean }>; misfits: string[] }> {
  const client = new ZapClient()
  const order: Array<{ kind: Kind; policy: Policy; afterResolve: boolean }> = []
  const misfits: string[] = []
  const receive = async (count: number, afterResolve: boolean, onReply?: (received: number) => void): Promise<void> => {
    for (let received = 0; received < count; received++) {
      onReply?.(received)
      const reply = await client.receive()
      const kind = kinds[Number(reply.requestId.toString().slice(2)) % kinds.length]!
      const fits = policiesFor(kind, reply)
      if (fits.length !== 1) misfits.push(`${kind.name}: ${reply.statusCode} ${reply.statusText}`)
      else order.push({ kind, policy: fits[0]!, afterResolve })
    }
  }
  try {
    let reconfiguring: Promise<unknown> | undefined
    const receiving = receive(REQUESTS, false, (received) => {
      if (received === RECONFIGURE_AFTER) reconfiguring = reconfigure()
    })
    for (let index = 0; index < REQUESTS; index++) await client.send(kinds[index % kinds.length]!.frames(`r-${index}`))
    await receiving
    await reconfiguring
    const tail = receive(TAIL, true)
    for (let index = REQUESTS; index < REQUESTS + TAIL; index++)
      await client.send(kinds[index % kinds.length]!.frames(`r-${index}`))
    await tail
    return { order, misfits }
  } finally {
    client.close()
  }
}

function expectOneSwitch(entries: ReadonlyArray<{ policy: Policy; afterResolve: boolean }>): void {
  const order = entries.map((entry) => entry.policy)
  const firstNew = order.indexOf("new")
  expect(firstNew, "some requests were decided by the old policy").toBeGreaterThan(0)
  expect(
    order.slice(firstNew).filter((policy) => policy === "old"),
    "no old decision after the first new one"
  ).toEqual([])
  const after = entries.filter((entry) => entry.afterResolve).map((entry) => entry.policy)
  expect(after.length).toBeGreaterThan(0)
  expect(after, "requests sent after the call resolved meet the new policy").not.toContain("old")
}

let base = ""
const oldKeys = Array.from({ length: 40 }, () => curveKeyPair().publicKey)
const newKeys = Array.from({ length: 40 }, () => curveKeyPair().publicKey)
/** A directory slow to load: many files. */
const largeKeys = Array.from({ length: 400 }, () => curveKeyPair().publicKey)

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), "zmq-auth-reconfigure-"))
  for (const [name, keys] of [
    ["old", oldKeys],
    ["new", newKeys],
    ["large", largeKeys],
  ] as const) {
    await mkdir(join(base, name))
    await Promise.all(
      keys.map((key, index) => writeFile(join(base, name, `client-${index}.key`), `curve\n    public-key = "${key}"\n`))
    )
  }
})
afterAll(async () => {
  await rm(base, { recursive: true, force: true })
})

function runReconfiguration(adapter: AdapterUnderTest): void {
  describe(`reconfiguration under ${REQUESTS} in-flight ZAP requests (${adapter.name} adapter)`, () => {
    let served: ServedEngine | undefined

    afterEach(async () => {
      await served?.stop()
      served = undefined
    })

    async function serve(configure: (engine: EngineConfig) => unknown): Promise<EngineConfig> {
      served = await adapter.serve()
      await configure(served.engine)
      return served.engine
    }

    it("configurePlain replaces the user table at once", async () => {
      const engine = await serve((config) => config.configurePlain("*", { admin: "old-pass", olduser: "x" }))
      const { order, misfits } = await underLoad(PLAIN_KINDS, async () =>
        engine.configurePlain("*", { admin: "new-pass", newuser: "y" })
      )
      expect(misfits).toEqual([])
      expect(order).toHaveLength(REQUESTS + TAIL)
      expectOneSwitch(order)
    })

    it("configureCurve(directory) swaps the whole key set, never a partly loaded one", async () => {
      const engine = await serve((config) => config.configureCurve("*", join(base, "old")))
      // Every key of both sets is asked in turn: a partial swap would allow some new keys and deny others.
      const kinds: Kind[] = [
        ...oldKeys.map((key, index): Kind => ({
          name: `old key ${index}`,
          frames: (id) => request(id, "CURVE", z85.decode(key)),
          expected: { old: "200", new: "400" },
        })),
        ...newKeys.map((key, index): Kind => ({
          name: `new key ${index}`,
          frames: (id) => request(id, "CURVE", z85.decode(key)),
          expected: { old: "400", new: "200" },
        })),
      ]
      const { order, misfits } = await underLoad(kinds, async () => engine.configureCurve("*", join(base, "new")))
      expect(misfits).toEqual([])
      expect(order).toHaveLength(REQUESTS + TAIL)
      expectOneSwitch(order)
    })

    it("configureCurveKeys then configurePlain: each mechanism switches once", async () => {
      const engine = await serve(async (config) => {
        await config.configurePlain("*", { admin: "old-pass", olduser: "x" })
        await config.configureCurveKeys("*", oldKeys)
      })
      const kinds: Kind[] = [
        ...PLAIN_KINDS,
        {
          name: "old key",
          frames: (id) => request(id, "CURVE", z85.decode(oldKeys[0]!)),
          expected: { old: "200", new: "400" },
        },
        {
          name: "new key",
          frames: (id) => request(id, "CURVE", z85.decode(newKeys[0]!)),
          expected: { old: "400", new: "200" },
        },
      ]
      const { order, misfits } = await underLoad(kinds, async () => {
        await engine.configureCurveKeys("*", newKeys)
        await engine.configurePlain("*", { admin: "new-pass", newuser: "y" })
      })
      expect(misfits).toEqual([])
      expect(order).toHaveLength(REQUESTS + TAIL)
      expectOneSwitch(order.filter((entry) => entry.kind.name.endsWith(" key")))
      expectOneSwitch(order.filter((entry) => !entry.kind.name.endsWith(" key")))
    })
  })
}

/**
 * Configuration calls that overlap: a `configureCurve(directory)` still reading its files must
 * not overwrite a configuration of the same domain made after it. Otherwise a key revoked by the
 * later call is accepted again once the earlier load completes: an accidental allow.
 */
function runOverlappingConfiguration(adapter: AdapterUnderTest): void {
  describe(`overlapping configuration calls (${adapter.name} adapter)`, () => {
    let served: ServedEngine | undefined
    let client: ZapClient

    afterEach(async () => {
      client.close()
      await served?.stop()
      served = undefined
    })

    async function decide(key: string): Promise<string> {
      const reply = await client.request(request("overlap", "CURVE", z85.decode(key)))
      return `${reply.statusCode} ${reply.statusText}`
    }

    it("configureCurve(directory) then configureCurveKeys: the later call stays in force", async () => {
      served = await adapter.serve()
      client = new ZapClient()
      const loading = Promise.resolve(served.engine.configureCurve("*", join(base, "old")))
      await served.engine.configureCurveKeys("*", [newKeys[0]!])
      await loading
      // The later configureCurveKeys() wins although the directory load finishes after it.
      expect(await decide(oldKeys[0]!)).toBe("400 Unknown key")
      expect(await decide(newKeys[0]!)).toBe("200 OK")
    })

    it("two configureCurve(directory) calls: the later one wins, whichever finishes first", async () => {
      served = await adapter.serve()
      client = new ZapClient()
      const first = Promise.resolve(served.engine.configureCurve("*", join(base, "large")))
      const second = Promise.resolve(served.engine.configureCurve("*", join(base, "new")))
      await Promise.all([first, second])
      expect(await decide(largeKeys[0]!)).toBe("400 Unknown key")
      expect(await decide(newKeys[0]!)).toBe("200 OK")
    })
  })
}

for (const adapter of [loopAdapter, threadAdapter, rxAdapter]) {
  runReconfiguration(adapter)
  runOverlappingConfiguration(adapter)
}
