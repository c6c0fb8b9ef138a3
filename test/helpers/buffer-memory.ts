/**
 * Runs `action` with Node's shared Buffer pool started afresh, 1 MiB large so that every pooled
 * allocation `action` makes lands in it, and returns that pool's memory: whatever `action` put
 * in the pool (`Buffer.from(string)`, `allocUnsafe`, `concat`) can be searched there. The copy
 * returned is taken before the pool is left, so later allocations cannot add to it.
 */
export async function sharedPoolDuring(action: () => unknown): Promise<Buffer> {
  const poolSize = Buffer.poolSize
  Buffer.poolSize = 1024 * 1024
  try {
    // Taken until one starts a new pool: it then sits at offset 0 of a pool of the new size.
    let fresh: Buffer
    do fresh = Buffer.allocUnsafe(16 * 1024)
    while (fresh.byteOffset !== 0 || fresh.buffer.byteLength !== Buffer.poolSize)
    // A new pool is uninitialised memory: it may hold anything freed before.
    new Uint8Array(fresh.buffer).fill(0)
    await action()
    return Buffer.from(new Uint8Array(fresh.buffer).slice())
  } finally {
    Buffer.poolSize = poolSize
  }
}

/** Whether `bytes` is the whole of its backing ArrayBuffer (shares it with nothing). */
export function ownsItsMemory(bytes: Uint8Array): boolean {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
}

/** Every typed-array view reachable from `value` (through objects, arrays, maps and errors). */
export function reachableViews(value: unknown, seen = new Set<unknown>()): ArrayBufferView[] {
  if (value === null || typeof value !== "object" || seen.has(value)) return []
  seen.add(value)
  if (ArrayBuffer.isView(value)) return [value]
  const views: ArrayBufferView[] = []
  const children = value instanceof Map ? [...value.keys(), ...value.values()] : Object.values(value)
  if (value instanceof Error) children.push(value.cause)
  for (const child of children) views.push(...reachableViews(child, seen))
  return views
}

/** The whole memory behind every view reachable from `value`, as one Buffer to search. */
export function reachableMemory(value: unknown): Buffer {
  const buffers = new Set(reachableViews(value).map((view) => view.buffer))
  return Buffer.concat([...buffers].map((buffer) => Buffer.from(buffer)))
}
