import { execFile, execFileSync } from "node:child_process"
import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"

const INSTALL_HINT = "install gcc, pkg-config and libczmq-dev (apt-get install gcc pkg-config libczmq-dev)"

/**
 * Throws, with what to install, unless gcc and the pkg-config entries `libczmq` (plus `extra`,
 * e.g. `libzmq` for direct libzmq calls) are present. Returns the compiler flags.
 */
export function requireCzmq(extra: readonly string[] = []): string[] {
  try {
    execFileSync("gcc", ["--version"], { stdio: "ignore" })
    const output = execFileSync("pkg-config", ["--cflags", "--libs", "libczmq", ...extra], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    })
    return output
      .trim()
      .split(/\s+/)
      .filter((flag) => flag !== "")
  } catch (error) {
    throw new Error(
      `CZMQ interop tests need a C toolchain and CZMQ: ${INSTALL_HINT}. Cause: ${(error as Error).message}`,
      { cause: error }
    )
  }
}

function run(file: string, args: readonly string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { encoding: "utf8", timeout: timeoutMs, killSignal: "SIGKILL" }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`${file} ${args.join(" ")} failed: ${error.message}\n${stderr}\n${stdout}`))
      else resolve(stdout)
    })
  })
}

/**
 * Compiles one C source file against CZMQ (`gcc source $(pkg-config --cflags --libs libczmq ...extra)`)
 * into a fresh temporary directory and returns a function running the program with arguments.
 */
export async function compileCzmq(
  source: string,
  name = "czmq-tool",
  extra: readonly string[] = []
): Promise<(...args: string[]) => Promise<string>> {
  const compilerFlags = requireCzmq(extra)
  const dir = await mkdtemp(join(tmpdir(), "zmq-auth-czmq-"))
  const sourceFile = join(dir, `${name}.c`)
  const binary = join(dir, name)
  await writeFile(sourceFile, source)
  await run("gcc", ["-o", binary, sourceFile, ...compilerFlags], 60_000)
  return (...args: string[]) => run(binary, args, 20_000)
}
