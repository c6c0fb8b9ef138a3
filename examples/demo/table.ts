/** Lays out rows as left-aligned columns, the first row being the header, with `indent`. */
export function formatTable(rows: readonly (readonly string[])[], indent = "  "): string {
  const widths: number[] = []
  for (const row of rows) row.forEach((cell, column) => (widths[column] = Math.max(widths[column] ?? 0, cell.length)))
  return rows
    .map(
      (row) =>
        indent + row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join("  ")
    )
    .join("\n")
}
