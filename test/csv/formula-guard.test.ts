import { describe, expect, it } from "vitest";
import { encodeCell } from "../../electron/core/csv/csv-cell";
import { neutraliseFormula, runsAsFormula } from "../../electron/core/csv/formula-guard";

// [cell, does a spreadsheet run it as a formula?]
const CASES: [string, boolean][] = [
  ["=1+2", true],
  ['=HYPERLINK("http://evil")', true],
  ["@SUM(A1:A2)", true],
  ["\t=1", true],
  ["\r=1", true],
  ["+1 Corp", true],
  ["-2+3", true],
  ["+A1", true],
  ["-cmd|' /C calc'!A0", true],
  ["+1-415-555-0100", true], // dashes between digits are subtraction in a spreadsheet
  ["-5", false],
  ["+5", false],
  ["-3.25", false],
  ["-.5", false],
  ["-1e3", false],
  ["-12%", false],
  ["+1 415 555 0100", false],
  ["+44 20 7946 0958", false],
  ["-", false],
  ["+", false],
  ["", false],
  ["Acme", false],
  ["a=b", false],
  ["5-3", false],
  ["NaN", false],
];

describe("formula neutralising", () => {
  it.each(CASES)("%j runs as a formula: %s", (cell, formula) => {
    expect(runsAsFormula(cell)).toBe(formula);
    expect(neutraliseFormula(cell)).toBe(formula ? `'${cell}` : cell);
  });

  it("quotes after neutralising, and only when needed", () => {
    expect(encodeCell('=HYPERLINK("x")', { neutraliseFormulas: true })).toBe(`"'=HYPERLINK(""x"")"`);
    expect(encodeCell("-5", { neutraliseFormulas: true })).toBe("-5");
    expect(encodeCell("=1+2", { neutraliseFormulas: false })).toBe("=1+2");
  });
});
