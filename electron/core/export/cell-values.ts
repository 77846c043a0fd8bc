import type { CsvProfile } from "../../../shared/job";
import type { DocumentRow, DocumentVersionRow } from "../views/views-source";

/** Total duration in seconds with one decimal, from the sum of page durations in ms. */
export function durationSeconds(totalMs: number): string {
  return (totalMs / 1000).toFixed(1);
}

/** Pages viewed against the pages of the version in force, two decimals and `%`. */
export function completion(pagesViewed: number, numPages: number): string {
  return `${(numPages ? (pagesViewed / numPages) * 100 : 0).toFixed(2)}%`;
}

export interface VersionInForce {
  /** Null when the document has no version (or version 0). */
  versionNumber: number | null;
  numPages: number;
}

/**
 * The version in force at `viewedAt`: the newest created at or before it, else the newest.
 * Its page count, else the document's, else 0. (ISO strings in one format compare as times.)
 */
export function versionInForce(document: Pick<DocumentRow, "numPages" | "versions">, viewedAt: string): VersionInForce {
  const versions: DocumentVersionRow[] = document.versions;
  const version = versions.find((v) => v.createdAt <= viewedAt) ?? versions[0];
  return {
    versionNumber: version?.versionNumber || null,
    numPages: version?.numPages || document.numPages || 0,
  };
}

/**
 * How a CSV profile writes missing values and flags. Papermark writes "NaN" for a missing
 * value and for an empty string too (`x || "NaN"`), and some of its flags are Yes/NaN; the
 * spreadsheet profile writes an empty cell and Yes/No everywhere.
 */
export interface CellFormat {
  missing(value: string | number | null | undefined): string;
  /** A flag: "Yes", else Papermark's `papermarkOtherwise` ("No" or "NaN") or "No" in the spreadsheet profile. */
  flag(value: boolean, papermarkOtherwise: "No" | "NaN"): string;
  /** Label/value pairs of a view's custom-field responses for the given identifiers. */
  customFields(data: unknown, identifiers: readonly string[]): string[];
}

export function cellFormat(profile: CsvProfile = "papermark"): CellFormat {
  const empty = profile === "spreadsheet" ? "" : "NaN";
  const missing = (value: string | number | null | undefined) => (value === null || value === undefined || value === "" ? empty : String(value));
  return {
    missing,
    flag: (value, papermarkOtherwise) => (value ? "Yes" : profile === "spreadsheet" ? "No" : papermarkOtherwise),
    // Later entries for the same identifier win, as in Papermark.
    customFields: (data, identifiers) => {
      const responses = new Map<string, { label: string; response: string }>();
      if (Array.isArray(data)) {
        for (const field of data) {
          if (!field || typeof field !== "object") continue;
          const { identifier, label, response } = field as Record<string, unknown>;
          if (!identifier) continue;
          responses.set(String(identifier), { label: label ? String(label) : empty, response: response ? String(response) : empty });
        }
      }
      return identifiers.flatMap((identifier) => {
        const found = responses.get(identifier);
        return found ? [found.label, found.response] : [empty, empty];
      });
    },
  };
}
