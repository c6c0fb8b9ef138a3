/**
 * Where `secret` (as text, or as bytes inside any binary value) occurs in `value`, walking
 * objects, arrays, maps, sets and errors (message, stack, cause) deeply; undefined when nowhere.
 * Returns a path such as `event[0].cause.message`.
 */
export function findSecret(
  value: unknown,
  secret: string,
  path = "value",
  seen = new Set<object>()
): string | undefined {
  if (typeof value === "string") return value.includes(secret) ? path : undefined
  if (value === null || typeof value !== "object") return undefined
  if (seen.has(value)) return undefined
  seen.add(value)
  if (ArrayBuffer.isView(value)) {
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).includes(Buffer.from(secret, "utf8"))
      ? path
      : undefined
  }
  if (value instanceof ArrayBuffer) return findSecret(new Uint8Array(value), secret, path, seen)
  const children: Array<[string, unknown]> = []
  if (value instanceof Map)
    for (const [key, item] of value) children.push([`.get(${String(key)})`, item], [`.key(${String(key)})`, key])
  else if (value instanceof Set) for (const item of value) children.push(["[item]", item])
  if (value instanceof Error)
    children.push([".message", value.message], [".stack", value.stack], [".cause", value.cause])
  for (const key of Reflect.ownKeys(value)) {
    const descriptor = Object.getOwnPropertyDescriptor(value, key)
    if (descriptor !== undefined && "value" in descriptor) children.push([`.${String(key)}`, descriptor.value])
  }
  for (const [step, child] of children) {
    const found = findSecret(child, secret, `${path}${step}`, seen)
    if (found !== undefined) return found
  }
  return undefined
}
