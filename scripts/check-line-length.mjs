// Fails when a tracked source line is longer than Prettier's width: Prettier does not break
// strings, template literals or comments, so they are checked here (`npm run lint`).
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"

const MAX_COLUMNS = 120
const files = execFileSync("git", ["ls-files", "*.ts", "*.mjs", "*.js", "*.json", "*.sh"], { encoding: "utf8" })
  .split("\n")
  .filter((file) => file !== "" && file !== "package-lock.json")

const long = []
for (const file of files) {
  const lines = readFileSync(file, "utf8").split("\n")
  lines.forEach((line, index) => {
    if ([...line].length > MAX_COLUMNS) long.push(`${file}:${index + 1}: ${[...line].length} columns`)
  })
}
if (long.length > 0) {
  console.error(`${long.length} line(s) over ${MAX_COLUMNS} columns:\n${long.join("\n")}`)
  process.exitCode = 1
}
