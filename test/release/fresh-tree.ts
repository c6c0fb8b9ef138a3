import { cp, mkdir, readdir, readFile, symlink } from "node:fs/promises"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { REPOSITORY_ROOT } from "../helpers/run-node.js"

/** Root files a release needs besides the workspaces. */
const ROOT_FILES = ["package.json", "tsconfig.base.json", "LICENSE", "CHANGELOG.md", "scripts/release.mjs"]

/** The workspace folders of the root package.json, `dir/*` patterns expanded. */
export async function workspaceFolders(root = REPOSITORY_ROOT): Promise<string[]> {
  const { workspaces = [] } = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as {
    workspaces?: string[]
  }
  const folders: string[] = []
  for (const pattern of workspaces) {
    if (!pattern.endsWith("/*")) {
      folders.push(pattern)
      continue
    }
    const parent = pattern.slice(0, -2)
    for (const entry of await readdir(join(root, parent), { withFileTypes: true })) {
      if (entry.isDirectory() && existsSync(join(root, parent, entry.name, "package.json")))
        folders.push(`${parent}/${entry.name}`)
    }
  }
  return folders
}

/**
 * Copies the repository as a fresh clone has it (sources, no build output) to `target`, with a
 * node_modules of links to the repository's installed dependencies, and each workspace package
 * linked to its copy, so that builds in `target` see only `target`'s sources.
 */
export async function copyFreshTree(target: string): Promise<void> {
  for (const file of ROOT_FILES) {
    if (existsSync(join(REPOSITORY_ROOT, file))) await cp(join(REPOSITORY_ROOT, file), join(target, file))
  }
  const names: Array<{ name: string; folder: string }> = []
  for (const folder of await workspaceFolders()) {
    await cp(join(REPOSITORY_ROOT, folder), join(target, folder), {
      recursive: true,
      filter: (source) => !/[\\/](dist|node_modules)$/.test(source),
    })
    if (existsSync(join(REPOSITORY_ROOT, folder, "node_modules"))) {
      await symlink(join(REPOSITORY_ROOT, folder, "node_modules"), join(target, folder, "node_modules"), "dir")
    }
    const { name } = JSON.parse(await readFile(join(REPOSITORY_ROOT, folder, "package.json"), "utf8")) as {
      name: string
    }
    names.push({ name, folder })
  }
  const installed = join(REPOSITORY_ROOT, "node_modules")
  const modules = join(target, "node_modules")
  await mkdir(modules)
  for (const entry of await readdir(installed)) {
    if (entry.startsWith("@")) {
      await mkdir(join(modules, entry))
      for (const scoped of await readdir(join(installed, entry))) {
        if (names.some(({ name }) => name === `${entry}/${scoped}`)) continue
        await symlink(join(installed, entry, scoped), join(modules, entry, scoped), "dir")
      }
    } else {
      await symlink(join(installed, entry), join(modules, entry), "dir")
    }
  }
  for (const { name, folder } of names) {
    await mkdir(join(modules, name, ".."), { recursive: true })
    await symlink(join(target, folder), join(modules, name), "dir")
  }
}
