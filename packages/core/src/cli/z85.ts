import { parseArgs } from "node:util"
import { z85 } from "../zap/z85.js"
import { expectPositionals, parseCommandLine, UsageError, type Command } from "./command.js"

const USAGE = `Usage: zmq-auth z85 encode|decode

Converts between raw bytes and Z85 text (ZeroMQ RFC 32), standard input to standard output.
  encode   raw bytes in (a multiple of 4 bytes), Z85 text and a newline out
  decode   Z85 text in (a multiple of 5 characters; surrounding whitespace ignored), raw bytes out

Examples:
  zmq-auth z85 decode <<< 'rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7' | xxd
  head -c 32 /dev/urandom | zmq-auth z85 encode

Options:
  -h, --help  show this text`

async function readStandardInput(): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

function encode(input: Buffer): Buffer {
  if (input.length % 4 !== 0) throw new Error(`cannot encode ${input.length} bytes: Z85 encodes a multiple of 4 bytes`)
  return Buffer.from(z85.encode(input) + "\n")
}

function decode(input: Buffer): Buffer {
  const text = input.toString("latin1").trim()
  if (text.length % 5 !== 0)
    throw new Error(`cannot decode ${text.length} characters: Z85 text is a multiple of 5 characters`)
  try {
    return z85.decode(text)
  } catch (error) {
    throw new Error(`cannot decode: ${(error as Error).message.replace(/^z85\.decode: /, "")}`, { cause: error })
  }
}

/** `zmq-auth z85`: Z85 encoding and decoding between standard input and output. */
export const z85Command: Command = {
  name: "z85",
  summary: "encode or decode Z85 text (standard input to standard output)",
  usage: USAGE,
  async run(args) {
    const { positionals } = parseCommandLine(() =>
      parseArgs({ args, options: {}, strict: true, allowPositionals: true })
    )
    const [direction] = expectPositionals(positionals, ["encode|decode"]) as [string]
    if (direction !== "encode" && direction !== "decode")
      throw new UsageError(`expected encode or decode, got ${JSON.stringify(direction)}`)
    const input = await readStandardInput()
    const output = direction === "encode" ? encode(input) : decode(input)
    await new Promise<void>((resolve, reject) =>
      process.stdout.write(output, (error) => (error ? reject(error) : resolve()))
    )
    return 0
  },
}
