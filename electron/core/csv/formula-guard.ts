/*
 * CSV injection (OWASP): a spreadsheet runs a cell as a formula when it starts with `=`,
 * `+`, `-` or `@` (and TAB or CR can hide such a start). Such cells get a leading `'` so
 * they show as text. Numbers and phone numbers also start with `+` or `-`, but a
 * spreadsheet reads those as values, not formulas: they are left alone.
 */

/** Always a formula start, whatever follows. */
const ALWAYS_GUARDED = /^[=@\t\r]/;
/** A signed number: "-5", "+3.25", "-.5", "-1e3", "-12%". */
const SIGNED_NUMBER = /^[+-](?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?$/;
/** An international phone number in groups of digits separated by single spaces: "+1 415 555 0100". */
const SPACED_PHONE = /^\+\d{1,4}(?: \d{1,6})+$/;

/** Whether a spreadsheet would run this cell as a formula (and so it needs the `'`). */
export function runsAsFormula(value: string): boolean {
  if (ALWAYS_GUARDED.test(value)) return true;
  if (value.length < 2 || (value[0] !== "+" && value[0] !== "-")) return false;
  return !SIGNED_NUMBER.test(value) && !SPACED_PHONE.test(value);
}

/** The cell as a spreadsheet should show it: formulas prefixed with `'`, everything else unchanged. */
export function neutraliseFormula(value: string): string {
  return runsAsFormula(value) ? `'${value}` : value;
}
