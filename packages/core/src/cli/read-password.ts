import { createInterface } from "node:readline"

/**
 * Reads a password the way `passwd`-style tools do, never from the command line (it would be
 * visible in `ps` and shell history): from a terminal, a prompt on standard error with echo
 * turned off; from a pipe, the whole of standard input without its final line break.
 */
export async function readPassword(prompt: string): Promise<string> {
  const password = process.stdin.isTTY ? await promptHidden(prompt) : await readAll()
  if (password === "") throw new Error("the password is empty (give it on standard input or at the prompt)")
  return password
}

async function readAll(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "")
}

function promptHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: process.stdin, output: process.stderr, terminal: true })
    const output = lines as unknown as { _writeToOutput(text: string): void }
    let prompted = false
    output._writeToOutput = (text: string) => {
      // The prompt is written once; what the user types is not echoed.
      if (!prompted) {
        prompted = true
        process.stderr.write(text)
      }
    }
    lines.question(prompt, (answer) => {
      process.stderr.write("\n")
      lines.close()
      resolve(answer)
    })
    lines.on("SIGINT", () => {
      lines.close()
      reject(new Error("interrupted"))
    })
  })
}
