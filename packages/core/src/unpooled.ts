/**
 * Bytes that live in memory of their own, never in Node's shared Buffer pool. A Buffer taken
 * from the pool (`Buffer.from(string)`, `Buffer.allocUnsafe`, `Buffer.concat` of small sizes) is
 * a view into an 8 KiB ArrayBuffer shared with other allocations; `structuredClone` and
 * `postMessage` copy that whole ArrayBuffer, and with it whatever else was stored there. Secrets
 * (passwords, keys, certificate text) and every Buffer that leaves through an event, an error
 * or a stream are therefore allocated here.
 */

/** A copy of `bytes` in memory of its own. */
export function unpooledCopy(bytes: Uint8Array): Buffer {
  const copy = Buffer.alloc(bytes.length)
  copy.set(bytes)
  return copy
}

/** The UTF-8 bytes of `text` in memory of their own. */
export function unpooledUtf8(text: string): Buffer {
  const bytes = Buffer.alloc(Buffer.byteLength(text, "utf8"))
  bytes.write(text, 0, "utf8")
  return bytes
}
