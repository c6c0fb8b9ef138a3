import { parseArgs } from "node:util"
import { loadCertificate } from "../certs/load.js"
import { expectPositionals, parseCommandLine, printLine, type Command } from "./command.js"
import { formatTable } from "./table.js"

const USAGE = `Usage: zmq-auth inspect <file> [--json] [--show-secret]

Shows a certificate file's public key, its metadata and whether it holds a secret key.
The secret key itself is printed only with --show-secret.

Options:
  --json          print one JSON object: file, publicKey, hasSecretKey, metadata
                  (and secretKey with --show-secret)
  --show-secret   print the secret key too
  -h, --help      show this text`

/** `zmq-auth inspect`: a certificate's public key, metadata and secret-key presence. */
export const inspectCommand: Command = {
  name: "inspect",
  summary: "show a certificate's public key and metadata (not its secret)",
  usage: USAGE,
  async run(args) {
    const { values, positionals } = parseCommandLine(() =>
      parseArgs({
        args,
        options: { json: { type: "boolean", default: false }, "show-secret": { type: "boolean", default: false } },
        strict: true,
        allowPositionals: true,
      })
    )
    const [file] = expectPositionals(positionals, ["file"]) as [string]
    const certificate = await loadCertificate(file)
    const showSecret = values["show-secret"] && certificate.secretKey !== null
    if (values.json) {
      const output: Record<string, unknown> = {
        file,
        publicKey: certificate.publicKey,
        hasSecretKey: certificate.secretKey !== null,
        metadata: certificate.metadata,
      }
      if (showSecret) output.secretKey = certificate.secretKey
      printLine(JSON.stringify(output, null, 2))
      return 0
    }
    const secret =
      certificate.secretKey === null
        ? "absent"
        : showSecret
          ? certificate.secretKey!
          : "present (not shown; --show-secret prints it)"
    const metadata = Object.entries(certificate.metadata).map(([name, value]) => `${name} = ${JSON.stringify(value)}`)
    const rows = [
      ["file", file],
      ["public key", certificate.publicKey],
      ["secret key", secret],
      ...(metadata.length === 0
        ? [["metadata", "(none)"]]
        : metadata.map((line, index) => [index === 0 ? "metadata" : "", line])),
    ]
    printLine(formatTable(rows))
    return 0
  },
}
