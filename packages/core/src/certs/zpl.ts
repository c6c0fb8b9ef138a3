/**
 * The subset of ZPL (ZeroMQ RFC 4) that certificate files use: top-level sections
 * ("metadata", "curve") holding `name = value` properties, `#` comments, values bare or quoted.
 */
export type ZplDocument = Map<string, Map<string, string>>

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
 * characters included), are skipped. A tab indents like four spaces (ZPL indents by four), so
 * hand-edited files may mix them.
 *
 * Lines end at "\n" (a "\r" before it is dropped); each is read in place, trimmed of JavaScript
 * whitespace, and a property is `name = value` with a name of neither "=" nor whitespace.
 */
export function parseZpl(text: string): ZplDocument {
  const document: ZplDocument = new Map()
  let section: Map<string, string> | undefined
  /** The indentation of the section's own properties: the first indented line of the section sets it. */
  let childIndent = 0
  for (let start = 0; start <= text.length;) {
    let end = text.indexOf("\n", start)
    if (end === -1) end = text.length
    const lineEnd = end < text.length && end > start && text.charCodeAt(end - 1) === CARRIAGE_RETURN ? end - 1 : end
    const lineStart = start
    start = end + 1
    let first = lineStart
    while (first < lineEnd && isWhitespace(text.charCodeAt(first))) first++
    if (first === lineEnd || text.charCodeAt(first) === HASH) continue
    let last = lineEnd
    while (isWhitespace(text.charCodeAt(last - 1))) last--
    const content = text.slice(first, last)
    let indent = first - lineStart
    for (let index = lineStart; index < first; index++) if (text.charCodeAt(index) === TAB) indent += 3
    if (indent === 0) {
      const name = splitProperty(content)?.[0] ?? content.slice(0, nameEnd(content))
      section = ZPL_NAME.test(name) ? (document.get(name) ?? new Map<string, string>()) : undefined
      if (section !== undefined) document.set(name, section)
      childIndent = 0
      continue
    }
    if (section === undefined) continue
    if (childIndent === 0) childIndent = indent
    if (indent !== childIndent) continue
    const property = splitProperty(content)
    if (property !== undefined && ZPL_NAME.test(property[0])) section.set(property[0], detached(unquote(property[1])))
  }
  return document
}

/**
 * `value` as a string of its own. A value cut from the text is, for V8, a view that keeps the
 * whole text alive (a file's 500 bytes for each 40-character key kept in a key set); slicing a
 * concatenation copies just the value's characters.
 */
function detached(value: string): string {
  return ` ${value}`.slice(1)
}

const TAB = 9
const LINE_FEED = 10
const CARRIAGE_RETURN = 13
const SPACE = 32
const HASH = 35
const EQUALS = 61

/** Whether `code` is JavaScript whitespace or a line terminator (what `\s` and `trim()` match). */
function isWhitespace(code: number): boolean {
  if (code > SPACE && code < 0xa0) return false
  return (
    code === SPACE ||
    (code >= TAB && code <= CARRIAGE_RETURN) ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  )
}

/** Whether `code` ends a line for a regular expression's `.` (which matches any other character). */
function isLineTerminator(code: number): boolean {
  return code === LINE_FEED || code === CARRIAGE_RETURN || code === 0x2028 || code === 0x2029
}

/** Where the name at the start of `content` ends: at the first whitespace. */
function nameEnd(content: string): number {
  let index = 0
  while (index < content.length && !isWhitespace(content.charCodeAt(index))) index++
  return index
}

/**
 * The name and raw value of a property line (trimmed), as `/^([^=\s]+)\s*=\s*(.*)$/` splits it:
 * a name of neither "=" nor whitespace, "=", then the value after any whitespace, which holds
 * no line terminator. `undefined` for any other line.
 */
function splitProperty(content: string): [name: string, value: string] | undefined {
  const length = content.length
  let index = 0
  while (index < length && content.charCodeAt(index) !== EQUALS && !isWhitespace(content.charCodeAt(index))) index++
  if (index === 0 || index === length) return undefined
  const name = content.slice(0, index)
  while (index < length && isWhitespace(content.charCodeAt(index))) index++
  if (index === length || content.charCodeAt(index) !== EQUALS) return undefined
  index++
  while (index < length && isWhitespace(content.charCodeAt(index))) index++
  for (let rest = index; rest < length; rest++) if (isLineTerminator(content.charCodeAt(rest))) return undefined
  return [name, content.slice(index)]
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
