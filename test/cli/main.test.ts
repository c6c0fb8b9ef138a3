import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { createCertificates } from "@zmq-auth/core"
import { runCli } from "../helpers/run-node.js"
import { CLI_SCRIPT, runProgram } from "./spawn-cli.js"

const FAILING_ZEROMQ_RESOLVE =
  "export async function resolve(specifier, context, next) {" +
  ' if (specifier === "zeromq") throw new Error("zeromq blocked by the test");' +
  " return next(specifier, context) }"

/** A module resolve hook that makes `import "zeromq"` fail, as on a machine without the native binding. */
const BLOCK_ZEROMQ = `data:text/javascript,${encodeURIComponent(
  `import { register } from "node:module"
register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(FAILING_ZEROMQ_RESOLVE)}`)})`
)}`

function runCliWithoutZeromq(args: readonly string[]): ReturnType<typeof runProgram> {
  return runProgram(process.execPath, ["--import", BLOCK_ZEROMQ, CLI_SCRIPT, ...args])
}

const COMMANDS = ["keygen", "inspect", "list", "z85"]

describe("zmq-auth", () => {
  it("lists every command under --help", async () => {
    const result = await runCli(["--help"])
    expect(result.exitCode).toBe(0)
    for (const command of COMMANDS) expect(result.stdout).toMatch(new RegExp(`^  ${command} `, "m"))
  })

  it.each(COMMANDS)("prints the usage of %s with --help, -h and help <command>", async (command) => {
    for (const args of [
      [command, "--help"],
      [command, "-h"],
      ["help", command],
    ]) {
      const result = await runCli(args)
      expect(result.exitCode).toBe(0)
      expect(result.stdout).toContain(`Usage: zmq-auth ${command}`)
    }
  })

  it("shows the usage on stderr and exits 2 without a command", async () => {
    const result = await runCli([])
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain("Usage: zmq-auth <command>")
    expect(result.stdout).toBe("")
  })

  it("exits 2 for an unknown command", async () => {
    const result = await runCli(["rotate"])
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain('unknown command "rotate"')
  })
})

describe("zmq-auth without zeromq's native binding", () => {
  it("runs list, inspect and z85; only keygen needs the binding", async () => {
    const directory = await mkdtemp(join(tmpdir(), "zmq-auth-cli-main-"))
    try {
      const { publicFile } = await createCertificates(directory, "alice")
      for (const args of [
        ["list", directory],
        ["inspect", publicFile],
        ["z85", "encode"],
      ]) {
        const result = await runCliWithoutZeromq(args)
        expect(result.stderr).toBe("")
        expect(result.exitCode).toBe(0)
      }
      const keygen = await runCliWithoutZeromq(["keygen", directory, "bob"])
      expect(keygen.exitCode).toBe(1)
      expect(keygen.stderr).toContain("zeromq blocked by the test")
    } finally {
      await rm(directory, { recursive: true, force: true })
    }
  })
})
