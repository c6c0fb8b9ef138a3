import { describe, expect, it } from "vitest"
import { parseArgs } from "node:util"
import { shieldDashKeys } from "../../packages/core/src/cli/dash-keys.js"

// Z85 keys of 40 characters; Z85 has "-", so one key in 85 starts with it.
const DASH_KEY = "-p4l8HWzvXKH3y9T>r{b3S[DPJrV.C8&xJ5z2k*1"
const DOUBLE_DASH_KEY = "--4l8HWzvXKH3y9T>r{b3S[DPJrV.C8&xJ5z2k*1"
const OPTIONS = { url: { type: "string" }, json: { type: "boolean" }, "user-id": { type: "string" } } as const

function parse(args: string[]): { positionals: string[]; values: Record<string, unknown> } {
  const shielded = shieldDashKeys(args, Object.keys(OPTIONS))
  const parsed = parseArgs({ args: shielded.args, options: OPTIONS, strict: true, allowPositionals: true })
  const values: Record<string, unknown> = { ...parsed.values }
  for (const [name, value] of Object.entries(values))
    if (typeof value === "string") values[name] = shielded.restore(value)
  return { positionals: parsed.positionals.map(shielded.restore), values }
}

describe("shieldDashKeys", () => {
  it("keeps 40-character Z85 keys that start with - or -- as positionals, in order", () => {
    expect(DASH_KEY).toHaveLength(40)
    expect(DOUBLE_DASH_KEY).toHaveLength(40)
    expect(() => parseArgs({ args: [DASH_KEY], options: OPTIONS, strict: true, allowPositionals: true })).toThrow(
      /Unknown option/
    )
    expect(parse(["add-key", DASH_KEY, DOUBLE_DASH_KEY, "--json"])).toEqual({
      positionals: ["add-key", DASH_KEY, DOUBLE_DASH_KEY],
      values: { json: true },
    })
  })

  it("gives a key back as an option's value", () => {
    expect(parse(["add-key", "--user-id", DASH_KEY])).toEqual({
      positionals: ["add-key"],
      values: { "user-id": DASH_KEY },
    })
  })

  it("leaves declared options, other lengths, non-Z85 text and everything after -- alone", () => {
    // 40 characters, all of them Z85, yet the declared --url option with its value.
    const urlOption = "--url=redis://a:b@127.0.0.1:6379/0000000"
    expect(urlOption).toHaveLength(40)
    expect(parse([urlOption, "x"])).toEqual({
      positionals: ["x"],
      values: { url: "redis://a:b@127.0.0.1:6379/0000000" },
    })
    expect(shieldDashKeys(["-p", "--json"], []).args).toEqual(["-p", "--json"])
    expect(shieldDashKeys([`${DASH_KEY.slice(0, 39)}~`], []).args).toEqual([`${DASH_KEY.slice(0, 39)}~`])
    expect(shieldDashKeys(["--", DASH_KEY], []).args).toEqual(["--", DASH_KEY])
  })

  it("restores only its own tokens", () => {
    const shielded = shieldDashKeys([DASH_KEY], [])
    expect(shielded.args[0]).not.toBe(DASH_KEY)
    expect(shielded.args[0]!.startsWith("-")).toBe(false)
    expect(shielded.restore(shielded.args[0]!)).toBe(DASH_KEY)
    expect(shielded.restore("\u00007")).toBe("\u00007")
    expect(shielded.restore("plain")).toBe("plain")
  })
})
