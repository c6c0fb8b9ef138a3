/** One line of the results table. */
export interface ResultRow {
  /** What was measured, e.g. "CURVE, promise loop". */
  subject: string
  /** The measurement, with its unit. */
  measured: string
  /** What it is compared with, with its measurement. */
  baseline: string
  /** measured / baseline in the direction where higher is better; undefined when not a ratio. */
  ratio?: number
  /** The target as text, e.g. ">= 0.95x". */
  target: string
  /** Whether the target is met; undefined when there is no target. */
  met?: boolean
}

/** The outcome of one benchmark file. */
export interface BenchmarkReport {
  title: string
  /** What the benchmark runs, in one or two sentences. */
  workload: string
  rows: ResultRow[]
  /** Anything a reader needs to interpret the rows (skipped variants, method). */
  notes: string[]
}

/** A row comparing `measured` with `baseline` (higher is better) against a minimum ratio. */
export function ratioRow(
  subject: string,
  measured: { value: number; unit: string },
  baseline: { name: string; value: number },
  minimumRatio?: number
): ResultRow {
  const ratio = measured.value / baseline.value
  const row: ResultRow = {
    subject,
    measured: `${formatNumber(measured.value)} ${measured.unit}`,
    baseline: `${baseline.name}: ${formatNumber(baseline.value)}`,
    ratio,
    target: minimumRatio === undefined ? "-" : `>= ${minimumRatio.toFixed(2)}x`,
  }
  if (minimumRatio !== undefined) row.met = ratio >= minimumRatio
  return row
}

/** Formats a number with 3 significant digits (thousands grouped). */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value)
  const magnitude = Math.abs(value)
  if (magnitude >= 1000) return Math.round(value).toLocaleString("en-US")
  if (magnitude >= 100) return value.toFixed(0)
  if (magnitude >= 10) return value.toFixed(1)
  return value.toFixed(2)
}

function cell(text: string): string {
  return text.replaceAll("|", "\\|")
}

function metText(met: boolean | undefined): string {
  if (met === undefined) return ""
  return met ? "met" : "**missed**"
}

/** Renders the reports as one markdown table followed by each benchmark's workload. */
export function renderMarkdown(reports: readonly BenchmarkReport[]): string {
  const lines = ["| benchmark | case | measured | baseline | ratio | target | met |", "|---|---|---|---|---|---|---|"]
  for (const report of reports) {
    for (const row of report.rows) {
      const ratio = row.ratio === undefined ? "" : `${row.ratio.toFixed(2)}x`
      lines.push(
        `| ${cell(report.title)} | ${cell(row.subject)} | ${cell(row.measured)} | ${cell(row.baseline)} | ` +
          `${ratio} | ${cell(row.target)} | ${metText(row.met)} |`
      )
    }
  }
  lines.push("", "### Workloads", "")
  for (const report of reports) {
    lines.push(`- **${report.title}**: ${report.workload}`)
    for (const note of report.notes) lines.push(`  - ${note}`)
  }
  return lines.join("\n")
}
