import { access, mkdir } from "node:fs/promises"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { loadCertificate } from "../certs/load.js"
import { quoteZplValue, ZPL_NAME } from "../certs/zpl.js"
import { expectPositionals, parseCommandLine, printLine, UsageError, type Command } from "./command.js"
import { printable } from "./terminal-text.js"

const USAGE = `Usage: zmq-auth keygen <dir> <name> [--meta key=value ...] [--force]

Creates a new CURVE key pair as two certificate files (the format of pyzmq and CZMQ):
  <dir>/<name>.key          public certificate: copy it to the servers that should accept you
  <dir>/<name>.key_secret   public and secret key, file mode 0600: keep it private
<dir> is created (mode 0700) when missing. Prints both paths and the public key.

Options:
  --meta key=value   metadata stored in both files (repeatable)
  --force            replace existing certificate files of that name
  -h, --help         show this text`

function parseMetadata(entries: readonly string[]): Record<string, string> {
  const metadata: Record<string, string> = {}
  for (const entry of entries) {
    const separator = entry.indexOf("=")
    const name = separator === -1 ? entry : entry.slice(0, separator)
    if (separator === -1 || !ZPL_NAME.test(name)) {
      throw new UsageError(
        `--meta needs key=value with a key of letters, digits and $-_@.&+/, got ${JSON.stringify(entry)}`
      )
    }
    const value = entry.slice(separator + 1)
    if (quoteZplValue(value) === undefined) {
      throw new UsageError(
        `--meta ${name}: a certificate cannot store a value with a line break, or with both ' and " quotes`
      )
    }
    metadata[name] = value
  }
  return metadata
}

function checkName(name: string): void {
  if (name === "" || name === "." || name === ".." || /[/\\]/.test(name)) {
    throw new UsageError(`<name> must be a plain file name without directories, got ${JSON.stringify(name)}`)
  }
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false
  )
}

/** `zmq-auth keygen`: writes `<name>.key` and `<name>.key_secret` with `createCertificates`. */
export const keygenCommand: Command = {
  name: "keygen",
  summary: "create a CURVE key pair as <name>.key and <name>.key_secret",
  usage: USAGE,
  async run(args) {
    const { values, positionals } = parseCommandLine(() =>
      parseArgs({
        args,
        options: { meta: { type: "string", multiple: true, default: [] }, force: { type: "boolean", default: false } },
        strict: true,
        allowPositionals: true,
      })
    )
    const [directory, name] = expectPositionals(positionals, ["dir", "name"]) as [string, string]
    checkName(name)
    const metadata = parseMetadata(values.meta)
    if (!values.force) {
      for (const file of [join(directory, `${name}.key`), join(directory, `${name}.key_secret`)]) {
        if (await exists(file)) throw new Error(`${file} already exists (use --force to replace it)`)
      }
    }
    // Loaded here, not at startup: only keygen needs zeromq's native binding (for the key pair).
    const { createCertificates } = await import("../certs/create.js")
    await mkdir(directory, { recursive: true, mode: 0o700 })
    const { publicFile, secretFile } = await createCertificates(directory, name, metadata)
    const { publicKey } = await loadCertificate(publicFile)
    printLine(`public key   ${publicKey}`)
    printLine(`public file  ${printable(publicFile)}`)
    printLine(`secret file  ${printable(secretFile)} (mode 0600, keep it private)`)
    return 0
  },
}
