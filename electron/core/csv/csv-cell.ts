/** Characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[,"\r\n]/;

export interface CellOptions {
  /** Prefix formula-looking cells with `'` so spreadsheets show them as text (default on). */
  neutraliseFormulas: boolean;
}

/** One CSV field: neutralised if asked, then quoted only when it contains , " CR or LF. */
export function encodeCell(value: string, options: CellOptions): string {
  const safe = options.neutraliseFormulas && FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function encodeRow(cells: readonly string[], options: CellOptions): string {
  return cells.map((cell) => encodeCell(cell, options)).join(",");
}
