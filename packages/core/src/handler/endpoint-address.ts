/**
 * Throws `TypeError` unless `endpoint` names one address a ZAP handler can bind and reach: a
 * non-empty string without a wildcard. A handler connects its own waker to the address it bound
 * and unbinds that same address when it stops, so an address that lets `bind()` choose (`ipc://*`,
 * a `*` host, port `*` or `0`) would leave the waker unconnected and `stop()` waiting for it.
 */
export function checkEndpointAddress(endpoint: unknown): asserts endpoint is string {
  if (typeof endpoint !== "string" || endpoint === "") throw new TypeError("endpoint must be a non-empty string")
  if (hasWildcard(endpoint)) {
    throw new TypeError(
      `endpoint must name one address, not a wildcard for bind() to resolve (ipc://*, a * host, port * or 0), ` +
        `got ${JSON.stringify(endpoint)}`
    )
  }
}

function hasWildcard(endpoint: string): boolean {
  const separator = endpoint.indexOf("://")
  if (separator === -1) return false
  const transport = endpoint.slice(0, separator)
  const rest = endpoint.slice(separator + 3)
  if (transport === "ipc") return rest === "*"
  if (transport !== "tcp" && transport !== "ws" && transport !== "wss") return false
  // host:port, then a path for ws; an IPv6 host is bracketed, so its port follows the last colon.
  const hostPort = transport === "tcp" ? rest : rest.split("/", 1)[0]!
  const colon = hostPort.lastIndexOf(":")
  const host = colon === -1 ? hostPort : hostPort.slice(0, colon)
  const port = colon === -1 ? "" : hostPort.slice(colon + 1)
  return host === "*" || port === "*" || port === "0"
}
