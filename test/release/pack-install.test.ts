import { execFile } from "node:child_process"
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { REPOSITORY_ROOT } from "../helpers/run-node.js"
import { copyFreshTree } from "./fresh-tree.js"

const run = promisify(execFile)
const require = createRequire(import.meta.url)
/** Generous: each step spawns npm or tsc, slow on a loaded machine (about 30 s of CPU in all). */
const STEP_TIMEOUT_MS = 300_000

/** What `scripts/release.mjs --json` prints for each package. */
interface Packed {
  name: string
  version: string
  tarball: string
  files: string[]
}

/** The version of a dependency installed at the repository root. */
function installedVersion(name: string): string {
  return (require(`${name}/package.json`) as { version: string }).version
}

let scratch: string
let tree: string
let app: string
let packed: Packed[]

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "zmq-auth-pack-install-"))
  tree = join(scratch, "clone")
  app = join(scratch, "app")
  await copyFreshTree(tree)
  const release = await run(process.execPath, [join(tree, "scripts/release.mjs"), "--dry-run", "--json"], {
    cwd: tree,
    maxBuffer: 16 << 20,
  })
  packed = JSON.parse(release.stdout) as Packed[]
  await mkdir(app)
  await writeFile(
    join(app, "package.json"),
    JSON.stringify({ name: "installed-app", private: true, type: "module" }, null, 2)
  )
  await run(
    "npm",
    [
      "install",
      "--prefer-offline",
      "--ignore-scripts",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      ...packed.map((pack) => pack.tarball),
      `zeromq@${installedVersion("zeromq")}`,
      `rxjs@${installedVersion("rxjs")}`,
    ],
    { cwd: app, maxBuffer: 16 << 20 }
  )
  await cp(new URL("../fixtures/installed-app/", import.meta.url), app, { recursive: true })
}, STEP_TIMEOUT_MS)

afterAll(() => rm(scratch, { recursive: true, force: true }))

describe("packed and installed in an application outside the repository", () => {
  it("packs every workspace of the root package.json, built from a tree without build output", async () => {
    const { workspaces } = JSON.parse(await readFile(join(REPOSITORY_ROOT, "package.json"), "utf8")) as {
      workspaces: string[]
    }
    expect(packed.length).toBeGreaterThanOrEqual(workspaces.length)
    for (const pack of packed) {
      expect(pack.files, pack.name).toEqual(
        expect.arrayContaining([
          "LICENSE",
          "README.md",
          "package.json",
          "dist/index.js",
          "dist/index.d.ts",
          "src/index.ts",
        ])
      )
      expect(
        pack.files.filter((file) => file.endsWith(".tsbuildinfo")),
        pack.name
      ).toEqual([])
      expect(
        pack.files.filter(
          (file) =>
            !/^(dist|src)\//.test(file) && !["LICENSE", "README.md", "package.json", "CHANGELOG.md"].includes(file)
        ),
        pack.name
      ).toEqual([])
    }
  })

  it("has exactly one zeromq in the application's tree", async () => {
    const { stdout } = await run("npm", ["ls", "zeromq", "--all", "--parseable"], { cwd: app })
    expect(new Set(stdout.split("\n").filter((line) => line.trim() !== ""))).toEqual(
      new Set([join(app, "node_modules", "zeromq")])
    )
  })

  it(
    "decides real handshakes through each installed package, and requireZap after bind throws",
    async () => {
      const { stdout } = await run(process.execPath, ["handshakes.mjs"], { cwd: app })
      expect(JSON.parse(stdout)).toEqual({
        afterBind: "AuthenticatorError",
        loop: ["handshake", "handshake:error:auth"],
        thread: ["handshake", "handshake:error:auth"],
        rx: ["handshake", "handshake:error:auth"],
      })
    },
    STEP_TIMEOUT_MS
  )

  it(
    "runs the CLI through npx",
    async () => {
      await run("npx", ["--no-install", "zmq-auth", "keygen", "keys", "server", "--meta", "name=installed"], {
        cwd: app,
      })
      const { stdout } = await run("npx", ["--no-install", "zmq-auth", "list", "keys", "--json"], { cwd: app })
      expect(JSON.parse(stdout)).toEqual(
        expect.objectContaining({ certificates: [expect.objectContaining({ metadata: { name: "installed" } })] })
      )
    },
    STEP_TIMEOUT_MS
  )

  it(
    "type-checks against the installed declarations",
    async () => {
      const tsconfig = {
        compilerOptions: {
          module: "NodeNext",
          moduleResolution: "NodeNext",
          target: "ES2022",
          lib: ["ES2023"],
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          typeRoots: [join(REPOSITORY_ROOT, "node_modules/@types")],
          types: ["node"],
        },
        files: ["types.ts"],
      }
      await writeFile(join(app, "tsconfig.json"), JSON.stringify(tsconfig))
      await expect(
        run(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "."], { cwd: app })
      ).resolves.toBeDefined()
    },
    STEP_TIMEOUT_MS
  )

  it(
    "refuses a release without LICENSE, with a README link into the repository, or a version without CHANGELOG section",
    async () => {
      await rm(join(tree, "packages/rx/LICENSE"))
      const readme = join(tree, "packages/rx/README.md")
      await writeFile(readme, `${await readFile(readme, "utf8")}\nSee [the tests](../../test/rx).\n`)
      await writeFile(join(tree, "CHANGELOG.md"), "# Changelog\n")
      const release = run(
        process.execPath,
        [join(tree, "scripts/release.mjs"), "--pack-only", "--workspace", "packages/rx"],
        { cwd: tree }
      )
      const failure = await release.then(
        () => ({ code: 0, stderr: "" }),
        (error: { code: number; stderr: string }) => error
      )
      expect(failure.code).toBe(1)
      expect(failure.stderr).toContain("@zmq-auth/rx: LICENSE is missing")
      expect(failure.stderr).toContain("README.md links to ../../test/rx, which breaks outside the repository")
      expect(failure.stderr).toMatch(/CHANGELOG.md has no "## \d+\.\d+\.\d+" section/)
      expect(failure.stderr).toContain("release stopped before building")
    },
    STEP_TIMEOUT_MS
  )
})
