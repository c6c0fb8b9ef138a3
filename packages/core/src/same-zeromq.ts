import { createRequire } from "node:module"
import { dirname, join, sep } from "node:path"
import { Context, Socket } from "zeromq"
import { AuthenticatorError } from "./errors.js"

/**
 * Throws unless `socket` is a `Socket` of the zeromq module this package loads. A socket of a
 * second zeromq copy (another version nested under a dependency) lives in that copy's context,
 * where our ZAP handler is never asked: {@link AuthenticatorError} names the cure.
 * Anything that is not a zeromq socket at all is a `TypeError` naming `name`.
 */
export function assertSameZeromqSocket(socket: unknown, name: string): asserts socket is Socket {
  if (socket instanceof Socket) return
  throw foreignOrInvalid(socket, "Socket", name)
}

/**
 * Throws unless `context` is a `Context` of the zeromq module this package loads: a handler
 * bound in another zeromq copy's context serves none of this copy's sockets.
 * {@link AuthenticatorError} for a context of another copy, `TypeError` naming `name` otherwise.
 */
export function assertSameZeromqContext(context: unknown, name: string): asserts context is Context {
  if (context instanceof Context) return
  throw foreignOrInvalid(context, "Context", name)
}

/**
 * Checks what a {@link ZapHandler}'s zeromq context will be: throws as
 * {@link assertSameZeromqContext} for a `context` option of another zeromq copy, and warns once
 * per process (`process.emitWarning`, code `ZMQ_AUTH_SECOND_ZEROMQ`) when another copy of zeromq
 * is loaded at all: sockets made with it are served by no handler of ours, and without
 * `requireZap` libzmq accepts their NULL and CURVE clients unchecked.
 */
export function checkHandlerZeromq(context: unknown): void {
  if (context !== undefined) assertSameZeromqContext(context, "context")
  if (warned) return
  const others = otherZeromqDirectories()
  if (others.length === 0) return
  warned = true
  process.emitWarning(
    `zeromq is loaded from ${others.join(", ")} besides ${ownZeromqDirectory()}, which @zmq-auth/core uses: ` +
      "sockets of another copy are not served by this ZAP handler. " +
      "Install a single zeromq (`npm ls zeromq` lists the copies).",
    { code: "ZMQ_AUTH_SECOND_ZEROMQ" }
  )
}

let warned = false

/** Directories of zeromq copies in the CommonJS module cache other than ours. */
function otherZeromqDirectories(): string[] {
  const require = createRequire(import.meta.url)
  const own = ownZeromqDirectory()
  const entry = join("zeromq", "lib", "index.js")
  return Object.keys(require.cache)
    .filter((file) => file.endsWith(`${sep}${entry}`))
    .map((file) => dirname(dirname(file)))
    .filter((directory) => directory !== own)
}

function foreignOrInvalid(value: unknown, className: "Socket" | "Context", name: string): Error {
  if (!hasClassNamed(value, className)) return new TypeError(`${name} must be a zeromq ${className}`)
  return new AuthenticatorError(
    `${name} is a ${className} of another copy of zeromq than the one @zmq-auth/core uses (${ownZeromqDirectory()}): ` +
      "its sockets are served by a ZAP handler of their own copy only. Install a single zeromq for the whole " +
      "application (zeromq is a peer dependency of @zmq-auth packages); `npm ls zeromq` lists the copies."
  )
}

function hasClassNamed(value: unknown, className: string): boolean {
  for (
    let prototype = value === null || typeof value !== "object" ? null : Object.getPrototypeOf(value);
    prototype !== null;
    prototype = Object.getPrototypeOf(prototype)
  ) {
    if ((prototype as { constructor?: { name?: unknown } }).constructor?.name === className) return true
  }
  return false
}

function ownZeromqDirectory(): string {
  try {
    return dirname(dirname(createRequire(import.meta.url).resolve("zeromq")))
  } catch {
    return "zeromq"
  }
}
