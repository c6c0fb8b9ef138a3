import { cp, mkdir, mkdtemp, rm, symlink } from "node:fs/promises"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"

/** The zeromq module as the packages resolve it. */
type Zeromq = typeof import("zeromq")

/** A second, separately loaded copy of zeromq (its own native addon, classes and contexts). */
export interface SecondZeromq {
  zeromq: Zeromq
  /** Where the copy lives (a temporary directory). */
  directory: string
  remove(): Promise<void>
}

/**
 * Copies the installed zeromq (JavaScript and this platform's addon) under a temporary
 * `node_modules`, and loads it: the addon file is another file, so it loads as a module
 * instance of its own, as a second zeromq version nested under a dependency would.
 */
export async function loadSecondZeromq(): Promise<SecondZeromq> {
  const require = createRequire(import.meta.url)
  const original = dirname(dirname(require.resolve("zeromq")))
  const loader = dirname(dirname(require.resolve("cmake-ts/build/loader", { paths: [original] })))
  const directory = await mkdtemp(join(tmpdir(), "zmq-auth-second-zeromq-"))
  const copy = join(directory, "node_modules", "zeromq")
  await mkdir(join(copy, "build"), { recursive: true })
  await cp(join(original, "package.json"), join(copy, "package.json"))
  await cp(join(original, "lib"), join(copy, "lib"), { recursive: true })
  await cp(join(original, "build", "manifest.json"), join(copy, "build", "manifest.json"))
  await cp(join(original, "build", process.platform), join(copy, "build", process.platform), { recursive: true })
  await symlink(loader, join(directory, "node_modules", "cmake-ts"), "dir")
  const zeromq = createRequire(join(copy, "package.json"))("./lib/index.js") as Zeromq
  return { zeromq, directory, remove: () => rm(directory, { recursive: true, force: true }) }
}
