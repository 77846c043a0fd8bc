/** A table of figures: printed aligned on the console and as Markdown for the README. */
export type Cell = string | number | null | undefined;

export interface Table {
  title: string;
  columns: string[];
  rows: Cell[][];
  /** Lines printed under the table (how it was measured, what is extrapolated). */
  notes?: string[];
}

const text = (cell: Cell): string => (cell === null || cell === undefined ? "–" : String(cell));

/** Right-aligns columns that hold figures, left-aligns the others. */
function isNumeric(column: number, rows: Cell[][]): boolean {
  return rows.every((row) => {
    const cell = text(row[column]);
    return cell === "–" || /^[~≈<>]?[-+]?[\d,.]+(\s?[a-zA-Z%×/]+)?[*†]?$/.test(cell);
  });
}

/** Aligned pipe table (valid Markdown too), with the title above and notes below. */
export function formatTable(table: Table): string {
  const cells = [table.columns, ...table.rows.map((row) => table.columns.map((_, i) => text(row[i])))];
  const widths = table.columns.map((_, i) => Math.max(...cells.map((row) => text(row[i]).length)));
  const numeric = table.columns.map((_, i) => isNumeric(i, table.rows));
  const line = (row: Cell[]) => `| ${row.map((cell, i) => (numeric[i] ? text(cell).padStart(widths[i]!) : text(cell).padEnd(widths[i]!))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (numeric[i] ? `${"-".repeat(w + 1)}:` : `:${"-".repeat(w + 1)}`)).join("|")}|`;
  const out = [`### ${table.title}`, "", line(table.columns), rule, ...table.rows.map(line)];
  if (table.notes?.length) out.push("", ...table.notes.map((note) => `- ${note}`));
  return out.join("\n");
}

// --- number formatting

export const fmtInt = (value: number): string => (Number.isFinite(value) ? Math.round(value).toLocaleString("en-US") : "–");

export const fmtNum = (value: number, digits = 1): string =>
  Number.isFinite(value) ? value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits }) : "–";

export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return "–";
  if (ms >= 60_000) return `${fmtNum(ms / 60_000, 1)} min`;
  if (ms >= 10_000) return `${fmtNum(ms / 1000, 1)} s`;
  if (ms >= 1000) return `${fmtNum(ms / 1000, 2)} s`;
  if (ms >= 10) return `${fmtNum(ms, 0)} ms`;
  return `${fmtNum(ms, 2)} ms`;
}

export function fmtBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return "–";
  const units = ["B", "KB", "MB", "GB"];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? fmtInt(value) : fmtNum(value, value >= 100 ? 0 : 1)} ${units[unit]}`;
}

export const fmtPct = (fraction: number, digits = 1): string => (Number.isFinite(fraction) ? `${fmtNum(fraction * 100, digits)}%` : "–");

export const fmtRatio = (ratio: number, digits = 1): string => (Number.isFinite(ratio) ? `${fmtNum(ratio, digits)}×` : "–");
