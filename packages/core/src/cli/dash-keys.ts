import { CURVE_KEY_Z85_LENGTH } from "../policy/curve-key.js"
import { isZ85 } from "../zap/z85.js"

/** Arguments where Z85 keys that start with "-" stand in for themselves, and how to get them back. */
export interface ShieldedArguments {
  /** The arguments, each such key replaced by a token that does not start with "-". */
  args: string[]
  /** The argument a parsed value stands for: the key again for a replacement token. */
  restore(value: string): string
}

/**
 * Z85 has "-", so one CURVE key in 85 starts with it and `parseArgs` would take it for an
 * option ("Unknown option '-p'"). An argument of exactly 40 Z85 characters that starts with "-"
 * and is not one of `longOptions` (as `--name` or `--name=value`) is a key: it is replaced by a
 * token `parseArgs` reads as a positional (or an option's value), and `restore` maps it back.
 */
export function shieldDashKeys(args: readonly string[], longOptions: readonly string[]): ShieldedArguments {
  /** The key each replacement token stands for; a token starts with NUL, which no argument holds. */
  const keys = new Map<string, string>()
  const shielded: string[] = []
  for (const [index, arg] of args.entries()) {
    if (arg === "--") {
      shielded.push(...args.slice(index))
      break
    }
    if (!isDashKey(arg, longOptions)) {
      shielded.push(arg)
      continue
    }
    const token = `\u0000${keys.size}`
    keys.set(token, arg)
    shielded.push(token)
  }
  return {
    args: shielded,
    restore: (value) => keys.get(value) ?? value,
  }
}

function isDashKey(arg: string, longOptions: readonly string[]): boolean {
  if (!arg.startsWith("-") || arg.length !== CURVE_KEY_Z85_LENGTH || !isZ85(arg)) return false
  return !longOptions.some((name) => arg === `--${name}` || arg.startsWith(`--${name}=`))
}
