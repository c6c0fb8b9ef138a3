import { describe, expect, it } from "vitest"
import { runCli } from "../helpers/run-node.js"

const COMMANDS = ["keygen", "inspect", "list", "z85"]

describe("zmq-auth", () => {
  it("lists every command under --help", async () => {
    const result = await runCli(["--help"])
    expect(result.exitCode).toBe(0)
    for (const command of COMMANDS) expect(result.stdout).toMatch(new RegExp(`^  ${command} `, "m"))
  })

  it.each(COMMANDS)("prints the usage of %s with --help, -h and help <command>", async (command) => {
    for (const args of [[command, "--help"], [command, "-h"], ["help", command]]) {
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
