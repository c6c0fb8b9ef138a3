#!/usr/bin/env node
import { handleBrokenPipes, isBrokenPipe } from "./broken-pipe.js"
import { UsageError, type Command } from "./command.js"
import { inspectCommand } from "./inspect.js"
import { keygenCommand } from "./keygen.js"
import { listCommand } from "./list.js"
import { redisCommand } from "./redis.js"
import { printable } from "./terminal-text.js"
import { z85Command } from "./z85.js"

const COMMANDS: readonly Command[] = [keygenCommand, inspectCommand, listCommand, z85Command, redisCommand]

const USAGE = `Usage: zmq-auth <command> [options]

Certificate, key and fleet credential tools for zmq-auth (files compatible with pyzmq and CZMQ).

Commands:
${COMMANDS.map((command) => `  ${command.name.padEnd(9)}${command.summary}`).join("\n")}

Options:
  -h, --help   show this text; "zmq-auth <command> --help" shows a command's options
  --debug      print the stack trace of an error

Exit codes: 0 success, 1 runtime error, 2 usage error.`

const HELP = new Set(["-h", "--help", "help"])

function describeError(error: unknown, debug: boolean): string {
  if (!(error instanceof Error)) return String(error)
  if (!debug) return error.message
  let text = error.stack ?? error.message
  for (let cause = error.cause; cause !== undefined; cause = cause instanceof Error ? cause.cause : undefined) {
    text += `\nCaused by: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}`
  }
  return text
}

/**
 * An error message for the terminal: it may quote file names or paths,
 * so control characters are escaped line by line.
 */
function printableLines(text: string): string {
  return text.split("\n").map(printable).join("\n")
}

/** Splits `--debug` (anywhere before a `--` terminator) from the other arguments. */
function takeDebugFlag(args: readonly string[]): { debug: boolean; rest: string[] } {
  const terminator = args.indexOf("--")
  const end = terminator === -1 ? args.length : terminator
  const rest = args.filter((arg, index) => index >= end || arg !== "--debug")
  return { debug: rest.length !== args.length, rest }
}

async function main(args: readonly string[]): Promise<number> {
  const { debug, rest } = takeDebugFlag(args)
  const [name, ...commandArgs] = rest
  if (name === undefined) {
    process.stderr.write(`${USAGE}\n`)
    return 2
  }
  if (HELP.has(name)) {
    const topic = name === "help" ? COMMANDS.find((command) => command.name === commandArgs[0]) : undefined
    process.stdout.write(`${topic?.usage ?? USAGE}\n`)
    return 0
  }
  const command = COMMANDS.find((candidate) => candidate.name === name)
  if (command === undefined) {
    process.stderr.write(
      `zmq-auth: unknown command ${JSON.stringify(name)}\nRun "zmq-auth --help" for the list of commands.\n`
    )
    return 2
  }
  if (commandArgs.some((arg) => arg === "-h" || arg === "--help")) {
    process.stdout.write(`${command.usage}\n`)
    return 0
  }
  try {
    return await command.run(commandArgs)
  } catch (error) {
    // The reader of standard output has gone (see handleBrokenPipes): nothing is wrong. A write
    // awaited through its callback (z85) can fail here before the stream's error event exits.
    if (isBrokenPipe(error)) return 0
    if (error instanceof UsageError) {
      process.stderr.write(
        `zmq-auth ${command.name}: ${printableLines(error.message)}\nRun "zmq-auth ${command.name} --help" for usage.\n`
      )
      return 2
    }
    process.stderr.write(`zmq-auth ${command.name}: ${printableLines(describeError(error, debug))}\n`)
    return 1
  }
}

handleBrokenPipes()
process.exitCode = await main(process.argv.slice(2))
