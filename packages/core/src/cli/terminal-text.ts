/**
 * Characters that must not reach a terminal raw: the C0 and C1 control characters and DEL
 * (ESC starts escape sequences that retitle the window, clear the screen or move the cursor; a
 * newline would fake a row), and the Unicode format characters that reorder or break lines (bidi
 * embeddings, overrides and isolates, the line and paragraph separators).
 */
const UNPRINTABLE = /[\p{Cc}\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu

/**
 * Returns `text` with every control character escaped as `\uXXXX`, for printing names and paths
 * that come from files (a received certificate, a directory listing) to a terminal. Text without
 * such characters is returned unchanged. The escapes are JSON's, so escaping JSON text keeps it
 * valid and equal in meaning.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`)
}
