import { neutraliseFormula } from "./formula-guard";

const NEEDS_QUOTES = /[,"\r\n]/;

export interface CellOptions {
  /** Prefix cells a spreadsheet would run as formulas with `'` so they show as text (default on). */
  neutraliseFormulas: boolean;
}

/** One CSV field: neutralised if asked, then quoted only when it contains , " CR or LF. */
export function encodeCell(value: string, options: CellOptions): string {
  const safe = options.neutraliseFormulas ? neutraliseFormula(value) : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function encodeRow(cells: readonly string[], options: CellOptions): string {
  return cells.map((cell) => encodeCell(cell, options)).join(",");
}
