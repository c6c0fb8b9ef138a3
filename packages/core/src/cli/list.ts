import { readdir } from "node:fs/promises"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { isCertificateFileName } from "../certs/certificate-file-name.js"
import { loadCertificate, PARALLEL_READS, type Certificate } from "../certs/load.js"
import { CertificateError } from "../errors.js"
import { mapLimited } from "../map-limited.js"
import { messageOf } from "../error-text.js"
import { expectPositionals, parseCommandLine, printLine, type Command } from "./command.js"
import { formatTable } from "./table.js"
import { printable } from "./terminal-text.js"

const USAGE = `Usage: zmq-auth list <dir> [--json]

Lists the *.key certificate files of <dir>, the files configureCurve(domain, dir) loads:
file name, public key and metadata. A file that cannot be loaded is listed with the reason,
and the exit code is then 1.

Options:
  --json      print one JSON object: directory, certificates[], errors[]
  -h, --help  show this text`

type Listing = { file: string; certificate: Certificate } | { file: string; reason: string }

async function listCertificateFiles(directory: string): Promise<string[]> {
  try {
    const entries = await readdir(directory, { withFileTypes: true })
    return entries
      .filter((entry) => isCertificateFileName(entry.name) && !entry.isDirectory())
      .map((entry) => entry.name)
      .sort()
  } catch (error) {
    throw new CertificateError(directory, `cannot list certificate directory: ${messageOf(error)}`, { cause: error })
  }
}

async function loadListing(directory: string, file: string): Promise<Listing> {
  const path = join(directory, file)
  try {
    return { file, certificate: await loadCertificate(path) }
  } catch (error) {
    const message = messageOf(error)
    return { file, reason: message.startsWith(`${path}: `) ? message.slice(path.length + 2) : message }
  }
}

function formatMetadata(metadata: Record<string, string>): string {
  return Object.entries(metadata)
    .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
    .join(", ")
}

/** `zmq-auth list`: the certificates of a directory, bad files with their reason. */
export const listCommand: Command = {
  name: "list",
  summary: "list the certificates of a directory, with bad files and why",
  usage: USAGE,
  async run(args) {
    const { values, positionals } = parseCommandLine(() =>
      parseArgs({ args, options: { json: { type: "boolean", default: false } }, strict: true, allowPositionals: true })
    )
    const [directory] = expectPositionals(positionals, ["dir"]) as [string]
    const files = await listCertificateFiles(directory)
    // At most PARALLEL_READS at once, as readCertificateDirectory (not used here: it keys
    // certificates by public key, losing file names and whether a file holds a secret); every
    // file at once runs out of file handles in a large directory (EMFILE).
    const listings = await mapLimited(files, PARALLEL_READS, (file) => loadListing(directory, file))
    const errors = listings.filter((listing) => "reason" in listing)
    if (values.json) {
      const certificates = listings.flatMap((listing) =>
        "certificate" in listing
          ? [
              {
                file: listing.file,
                publicKey: listing.certificate.publicKey,
                hasSecretKey: listing.certificate.secretKey !== null,
                metadata: listing.certificate.metadata,
              },
            ]
          : []
      )
      printLine(JSON.stringify({ directory, certificates, errors }, null, 2))
      return errors.length === 0 ? 0 : 1
    }
    if (listings.length === 0) {
      printLine(`no *.key certificate files in ${printable(directory)}`)
      return 0
    }
    const rows = listings.map((listing) =>
      "certificate" in listing
        ? [
            listing.file,
            listing.certificate.publicKey,
            formatMetadata(listing.certificate.metadata) +
              (listing.certificate.secretKey === null ? "" : "  [holds a secret key]"),
          ]
        : [listing.file, `error: ${listing.reason}`, ""]
    )
    printLine(formatTable([["FILE", "PUBLIC KEY", "METADATA"], ...rows]).trimEnd())
    const good = listings.length - errors.length
    const bad = errors.length === 0 ? "" : `, ${errors.length} bad file${errors.length === 1 ? "" : "s"}`
    printLine(`${good} certificate${good === 1 ? "" : "s"}${bad}`)
    return errors.length === 0 ? 0 : 1
  },
}
