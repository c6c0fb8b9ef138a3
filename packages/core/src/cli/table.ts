import { printable } from "./terminal-text.js"

/**
 * Lays out rows as left-aligned columns separated by two spaces; the last column is not padded.
 * Control characters in cells are escaped (see {@link printable}), so a cell holding a file name
 * or certificate metadata cannot drive the terminal or break the layout.
 */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const cells = rows.map((row) => row.map(printable))
  const widths: number[] = []
  for (const row of cells) row.forEach((cell, column) => (widths[column] = Math.max(widths[column] ?? 0, cell.length)))
  return cells
    .map((row) =>
      row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join("  ")
    )
    .join("\n")
}
