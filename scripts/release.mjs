#!/usr/bin/env node
// Releases every public workspace of the root package.json: cleans its dist, packs it (`prepack`
// builds), checks each tarball's file list, then publishes the tarballs, dependencies first.
//
//   node scripts/release.mjs [--dry-run] [--pack-only] [--json] [--workspace <folder>]
//
// --dry-run             npm publish --dry-run: everything but the upload
// --pack-only           stop after the checks; the tarballs stay in build/release/
// --json                print [{ name, version, tarball, files }] on stdout (the log goes to stderr)
// --workspace <folder>  only this workspace (e.g. packages/rx)
import { execFileSync } from "node:child_process"
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { dirname, join, normalize, posix } from "node:path"
import { fileURLToPath } from "node:url"

const root = dirname(dirname(fileURLToPath(import.meta.url)))
const USAGE = "usage: node scripts/release.mjs [--dry-run] [--pack-only] [--json] [--workspace <folder>]"
const args = new Set()
let onlyWorkspace
for (let index = 2; index < process.argv.length; index++) {
  const arg = process.argv[index]
  if (arg === "--workspace" && process.argv[index + 1] !== undefined) onlyWorkspace = process.argv[++index]
  else if (["--dry-run", "--pack-only", "--json"].includes(arg)) args.add(arg)
  else {
    console.error(`unknown option ${arg}\n${USAGE}`)
    process.exit(2)
  }
}
const log = (line) => console.error(line)
const npm = process.platform === "win32" ? "npm.cmd" : "npm"

/** Files a tarball may hold besides dist/ and src/. */
const TOP_LEVEL_FILES = new Set(["package.json", "README.md", "LICENSE", "CHANGELOG.md"])
/** Fields every published package.json must have. */
const REQUIRED_FIELDS = [
  "name",
  "version",
  "description",
  "license",
  "repository",
  "keywords",
  "engines",
  "sideEffects",
  "files",
  "exports",
]

const readJson = (file) => JSON.parse(readFileSync(file, "utf8"))

/** The workspace folders of the root package.json, `dir/*` patterns expanded. */
function workspaceFolders() {
  const patterns = readJson(join(root, "package.json")).workspaces ?? []
  return patterns.flatMap((pattern) => {
    if (!pattern.endsWith("/*")) return [pattern]
    const parent = pattern.slice(0, -2)
    return readdirSync(join(root, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(root, parent, entry.name, "package.json")))
      .map((entry) => `${parent}/${entry.name}`)
  })
}

/** Every path an `exports` map or `bin` points at, without the leading "./". */
function entryPoints(manifest) {
  const targets = []
  const walk = (value) => {
    if (typeof value === "string") targets.push(value)
    else if (value !== null && typeof value === "object") Object.values(value).forEach(walk)
  }
  walk(manifest.exports)
  walk(typeof manifest.bin === "string" ? { bin: manifest.bin } : manifest.bin)
  return targets.map((target) => posix.normalize(target))
}

/** What is wrong with a workspace before it is built: its package.json, LICENSE and README. */
function sourceProblems(folder, manifest) {
  const problems = []
  for (const field of REQUIRED_FIELDS)
    if (manifest[field] === undefined) problems.push(`package.json has no "${field}"`)
  if (manifest.license !== "MIT") problems.push(`license is ${manifest.license}, not MIT (LICENSE)`)
  if (manifest.dependencies?.zeromq !== undefined)
    problems.push("zeromq is a dependency: it must be a peer dependency (one copy per application)")
  if (typeof manifest.scripts?.prepack !== "string")
    problems.push("no prepack script: a clean tree would pack without its build")
  for (const file of ["README.md", "LICENSE"])
    if (!existsSync(join(root, folder, file))) problems.push(`${file} is missing`)
  if (existsSync(join(root, folder, "README.md"))) {
    const readme = readFileSync(join(root, folder, "README.md"), "utf8")
    for (const [, target] of readme.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (!/^(https?:|mailto:|#)/.test(target))
        problems.push(`README.md links to ${target}, which breaks outside the repository`)
    }
  }
  return problems
}

/** What is wrong with a packed workspace's file list, as sentences; empty when nothing is. */
function tarballProblems(folder, manifest, files) {
  const problems = []
  const shipped = new Set(files)
  for (const file of ["package.json", "README.md", "LICENSE", "dist/index.js", "dist/index.d.ts"]) {
    if (!shipped.has(file)) problems.push(`${file} is missing from the tarball`)
  }
  for (const target of entryPoints(manifest))
    if (!shipped.has(target)) problems.push(`${target} (exports/bin) is missing from the tarball`)
  for (const file of files) {
    if (file.endsWith(".tsbuildinfo")) problems.push(`${file} is build state`)
    else if (!file.startsWith("dist/") && !file.startsWith("src/") && !TOP_LEVEL_FILES.has(file))
      problems.push(`${file} is not part of a package`)
    else if (file.startsWith("dist/") && /\.(js|d\.ts)$/.test(file)) {
      const source = file.replace(/^dist\//, "src/").replace(/(\.d)?\.ts$|\.js$/, ".ts")
      if (!shipped.has(source))
        problems.push(`${file} has no source ${source} (a stale build output? delete dist and pack again)`)
    } else if (file.endsWith(".map")) {
      for (const source of readJson(join(root, folder, file)).sources ?? []) {
        const target = posix.normalize(posix.join(posix.dirname(file), source))
        if (!shipped.has(target)) problems.push(`${file} points at ${source}, which is not shipped`)
      }
    }
  }
  return problems
}

/** What is wrong across the workspaces: versions without a CHANGELOG section, stale sibling pins. */
function releaseProblems(workspaces) {
  const problems = []
  const changelog = existsSync(join(root, "CHANGELOG.md")) ? readFileSync(join(root, "CHANGELOG.md"), "utf8") : ""
  for (const version of new Set(workspaces.map(({ manifest }) => manifest.version))) {
    const heading = new RegExp(`^## ${version.replaceAll(".", "\\.")}(\\s|$)`, "m")
    if (!heading.test(changelog)) problems.push(`CHANGELOG.md has no "## ${version}" section`)
  }
  const versions = new Map(workspaces.map(({ manifest }) => [manifest.name, manifest.version]))
  for (const { manifest } of workspaces) {
    for (const [name, range] of Object.entries({ ...manifest.dependencies, ...manifest.peerDependencies })) {
      if (versions.has(name) && range !== versions.get(name))
        problems.push(`${manifest.name} depends on ${name} ${range}, but the workspace is ${versions.get(name)}`)
    }
  }
  return problems
}

/** The workspaces in an order where each comes after the workspaces it depends on. */
function dependenciesFirst(packages) {
  const byName = new Map(packages.map((pack) => [pack.name, pack]))
  const ordered = []
  const visit = (pack, path) => {
    if (ordered.includes(pack)) return
    if (path.includes(pack)) throw new Error(`dependency cycle: ${[...path, pack].map((p) => p.name).join(" -> ")}`)
    const deps = { ...pack.manifest.dependencies, ...pack.manifest.peerDependencies }
    for (const name of Object.keys(deps)) if (byName.has(name)) visit(byName.get(name), [...path, pack])
    ordered.push(pack)
  }
  packages.forEach((pack) => visit(pack, []))
  return ordered
}

/** Logs each problem under `name`; returns whether there was any. */
function report(name, problems) {
  for (const problem of problems) log(`  ${name}: ${problem}`)
  return problems.length > 0
}

const folders = workspaceFolders()
if (onlyWorkspace !== undefined && !folders.includes(posix.normalize(onlyWorkspace))) {
  console.error(`${onlyWorkspace} is not a workspace of package.json (${folders.join(", ")})`)
  process.exit(2)
}
const workspaces = (onlyWorkspace === undefined ? folders : [posix.normalize(onlyWorkspace)])
  .map((folder) => ({ folder, manifest: readJson(join(root, folder, "package.json")) }))
  .filter(({ manifest }) => !manifest.private)

let failed = report("release", releaseProblems(workspaces))
for (const { folder, manifest } of workspaces)
  failed = report(manifest.name, sourceProblems(folder, manifest)) || failed
if (failed) {
  log("release stopped before building: fix the problems above")
  process.exit(1)
}

const destination = join(root, "build", "release")
rmSync(destination, { recursive: true, force: true })
mkdirSync(destination, { recursive: true })
const packages = []
for (const { folder, manifest } of workspaces) {
  rmSync(join(root, folder, "dist"), { recursive: true, force: true })
  log(`packing ${manifest.name} (${folder})`)
  const output = execFileSync(npm, ["pack", "--json", "--pack-destination", destination], {
    cwd: join(root, folder),
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  })
  const [packed] = JSON.parse(output.slice(output.search(/^\[/m)))
  const files = packed.files.map((file) => file.path).sort()
  const problems = tarballProblems(folder, manifest, files)
  failed = report(manifest.name, problems) || failed
  packages.push({
    name: manifest.name,
    version: manifest.version,
    tarball: normalize(join(destination, packed.filename)),
    files,
    manifest,
  })
  log(`  ${files.length} files, ${packed.size} bytes packed${problems.length === 0 ? ", checks passed" : ""}`)
}
if (failed) {
  log("release stopped: fix the problems above")
  process.exit(1)
}

if (!args.has("--pack-only")) {
  for (const pack of dependenciesFirst(packages)) {
    const publishArgs = ["publish", pack.tarball, "--access", "public", ...(args.has("--dry-run") ? ["--dry-run"] : [])]
    log(`${args.has("--dry-run") ? "publishing (dry run)" : "publishing"} ${pack.name}@${pack.version}`)
    execFileSync(npm, publishArgs, { cwd: root, stdio: ["ignore", "ignore", "inherit"] })
  }
}
if (args.has("--json"))
  console.log(
    JSON.stringify(
      packages.map(({ manifest, ...pack }) => pack),
      null,
      2
    )
  )
