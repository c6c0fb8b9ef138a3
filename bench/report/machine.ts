import { cpus } from "node:os"
import { version as libzmqVersion } from "zeromq"
import { runPython } from "../python-process.js"

/** The machine a run happened on, without paths or host names. */
export interface MachineDescription {
  cpuModel: string
  cores: number
  nodeVersion: string
  libzmqVersion: string
  pyzmq: string
}

/** Describes this machine: CPU, cores, Node, the libzmq of zeromq.js and of pyzmq. */
export async function describeMachine(): Promise<MachineDescription> {
  const processors = cpus()
  let pyzmq = "unavailable"
  try {
    const output = await runPython("versions.py", [])
    const versions = JSON.parse(output) as { pyzmq: string; libzmq: string; python: string }
    pyzmq = `pyzmq ${versions.pyzmq} (libzmq ${versions.libzmq}, Python ${versions.python})`
  } catch {
    // pyzmq rows will be skipped and say so.
  }
  return {
    cpuModel: processors[0]?.model.trim() ?? "unknown",
    cores: processors.length,
    nodeVersion: process.version,
    libzmqVersion,
    pyzmq,
  }
}
