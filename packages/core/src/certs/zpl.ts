/**
 * The subset of ZPL (ZeroMQ RFC 4) that certificate files use: top-level sections
 * ("metadata", "curve") holding `name = value` properties, `#` comments, values bare or quoted.
 */
export type ZplDocument = Map<string, Map<string, string>>

const PROPERTY = /^([^=\s]+)\s*=\s*(.*)$/

function unquote(raw: string): string {
  const value = raw.trim()
  const quote = value[0]
  if (quote === '"' || quote === "'") {
    const end = value.indexOf(quote, 1)
    return end === -1 ? value.slice(1) : value.slice(1, end)
  }
  const comment = value.indexOf("#")
  return (comment === -1 ? value : value.slice(0, comment)).trim()
}

/**
 * Parses ZPL text into sections of properties. Only the properties directly inside a top-level
 * section count: those of nested subsections (indented deeper) are not mixed into their parent.
 * Lines it does not understand, and names with characters ZPL does not allow (control
 * characters included), are skipped.
 */
export function parseZpl(text: string): ZplDocument {
  const document: ZplDocument = new Map()
  let section: Map<string, string> | undefined
  /** The indentation of the section's own properties: the first indented line of the section sets it. */
  let childIndent = 0
  for (const line of text.split(/\r?\n/)) {
    const content = line.trim()
    if (content === "" || content.startsWith("#")) continue
    // A tab counts as four spaces (ZPL indents by four), so hand-edited files may mix them.
    const indent = line.slice(0, line.length - line.trimStart().length).replace(/\t/g, "    ").length
    const property = PROPERTY.exec(content)
    if (indent === 0) {
      const name = property === null ? content.split(/\s/)[0]! : property[1]!
      section = ZPL_NAME.test(name) ? document.get(name) ?? new Map<string, string>() : undefined
      if (section !== undefined) document.set(name, section)
      childIndent = 0
      continue
    }
    if (section === undefined) continue
    if (childIndent === 0) childIndent = indent
    if (indent === childIndent && property !== null && ZPL_NAME.test(property[1]!)) section.set(property[1]!, unquote(property[2]!))
  }
  return document
}

/** Characters ZPL allows in a name. */
export const ZPL_NAME = /^[A-Za-z0-9$\-_@.&+/]+$/

/** Quotes a ZPL value, or returns `undefined` when it cannot be written (newline, both quotes). */
export function quoteZplValue(value: string): string | undefined {
  if (/[\r\n]/.test(value)) return undefined
  if (!value.includes('"')) return `"${value}"`
  if (!value.includes("'")) return `'${value}'`
  return undefined
}
