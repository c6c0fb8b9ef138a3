import { describe, expect, it } from "vitest"
import { runCli } from "../helpers/run-node.js"
import { runCliClosingStdoutEarly } from "./spawn-cli.js"

// The test vector of ZeroMQ RFC 32.
const HELLO_WORLD_BYTES = Buffer.from([0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b])

describe("zmq-auth z85", () => {
  it("encodes raw bytes from stdin to Z85 text", async () => {
    const result = await runCli(["z85", "encode"], { input: HELLO_WORLD_BYTES })
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toBe("HelloWorld\n")
  })

  it("decodes Z85 text to raw bytes, ignoring surrounding whitespace", async () => {
    const result = await runCli(["z85", "decode"], { input: "  HelloWorld\r\n" })
    expect(result.exitCode).toBe(0)
    expect(result.stdoutBytes).toEqual(HELLO_WORLD_BYTES)
  })

  it("round-trips a 32-byte key", async () => {
    const key = Buffer.from(Array.from({ length: 32 }, (_, index) => (index * 37 + 11) & 0xff))
    const encoded = await runCli(["z85", "encode"], { input: key })
    expect(encoded.stdout.trim()).toHaveLength(40)
    const decoded = await runCli(["z85", "decode"], { input: encoded.stdout })
    expect(decoded.stdoutBytes).toEqual(key)
  })

  it("handles empty input", async () => {
    expect((await runCli(["z85", "encode"], { input: "" })).stdout).toBe("\n")
    expect((await runCli(["z85", "decode"], { input: "\n" })).stdoutBytes).toHaveLength(0)
  })

  it.each([
    ["encode", Buffer.from("abc"), "cannot encode 3 bytes"],
    ["decode", Buffer.from("HelloWorl\n"), "cannot decode 9 characters"],
    ["decode", Buffer.from("Hello~orld"), "invalid character at position 5"],
    ["decode", Buffer.from("%%%%%"), "exceeds 32 bits"],
  ])("%s rejects bad input with exit 1 and a clear message", async (direction, input, message) => {
    const result = await runCli(["z85", direction], { input })
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toContain(message)
    expect(result.stdout).toBe("")
    expect(result.stderr).not.toMatch(/\n\s+at /)
  })

  it.each([
    ["no direction", ["z85"], "missing <encode|decode>"],
    ["an unknown direction", ["z85", "rot13"], "expected encode or decode"],
    ["an extra argument", ["z85", "encode", "file"], "unexpected argument"],
  ])("rejects %s as a usage error (exit 2)", async (_, args, message) => {
    const result = await runCli(args, { input: "" })
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain(message)
  })
})

describe("zmq-auth z85 with a reader that stops early", () => {
  it("exits 0 without a stack trace when standard output is closed (zmq-auth z85 encode | head -c 10)", async () => {
    const result = await runCliClosingStdoutEarly(["z85", "encode"], Buffer.alloc(4 * 1024 * 1024))
    expect(result.stdout).toMatch(/^0+/)
    expect(result.stderr).toBe("")
    expect(result.exitCode).toBe(0)
  })
})
