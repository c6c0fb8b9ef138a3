/** One `zmq-auth` subcommand. */
export interface Command {
  /** The word after `zmq-auth`. */
  name: string
  /** One line for the top-level help. */
  summary: string
  /** The text `--help` prints. */
  usage: string
  /**
   * Runs with the arguments after the command name. Resolves with the exit code; throws
   * {@link UsageError} for a command line it cannot run, anything else for a runtime failure.
   */
  run(args: string[]): Promise<number>
}

/** A command line the CLI cannot run: printed with a pointer to `--help`, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError"
}

/** Runs a `parseArgs` call, reporting what it rejects (unknown option, missing value) as {@link UsageError}. */
export function parseCommandLine<T>(parse: () => T): T {
  try {
    return parse()
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
}

/** Returns exactly the named positional arguments, or throws {@link UsageError} naming what is missing or extra. */
export function expectPositionals(positionals: string[], names: readonly string[]): string[] {
  if (positionals.length < names.length) {
    throw new UsageError(
      `missing ${names
        .slice(positionals.length)
        .map((name) => `<${name}>`)
        .join(" ")}`
    )
  }
  if (positionals.length > names.length) {
    throw new UsageError(`unexpected argument ${JSON.stringify(positionals[names.length])}`)
  }
  return positionals
}

/** Writes `text` and a newline to standard output. */
export function printLine(text = ""): void {
  process.stdout.write(text + "\n")
}
