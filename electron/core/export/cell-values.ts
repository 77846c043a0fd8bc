import type { DocumentRow, DocumentVersionRow } from "../views/views-source";

/** Papermark writes "NaN" for a missing value, and for an empty string too (`x || "NaN"`). */
export function orNaN(value: string | number | null | undefined): string {
  return value === null || value === undefined || value === "" ? "NaN" : String(value);
}

export function yesOr(flag: boolean, otherwise: "No" | "NaN"): string {
  return flag ? "Yes" : otherwise;
}

/** Total duration in seconds with one decimal, from the sum of page durations in ms. */
export function durationSeconds(totalMs: number): string {
  return (totalMs / 1000).toFixed(1);
}

/** Pages viewed against the pages of the version in force, two decimals and `%`. */
export function completion(pagesViewed: number, numPages: number): string {
  return `${(numPages ? (pagesViewed / numPages) * 100 : 0).toFixed(2)}%`;
}

export interface VersionInForce {
  versionNumber: string;
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
    versionNumber: orNaN(version?.versionNumber || undefined),
    numPages: version?.numPages || document.numPages || 0,
  };
}

/**
 * Label/value pairs of a view's custom-field responses for the given identifiers, "NaN"
 * where the view has none. Later entries for the same identifier win, as in Papermark.
 */
export function customFieldValues(data: unknown, identifiers: readonly string[]): string[] {
  const responses = new Map<string, { label: string; response: string }>();
  if (Array.isArray(data)) {
    for (const field of data) {
      if (!field || typeof field !== "object") continue;
      const { identifier, label, response } = field as Record<string, unknown>;
      if (!identifier) continue;
      responses.set(String(identifier), { label: label ? String(label) : "NaN", response: response ? String(response) : "NaN" });
    }
  }
  return identifiers.flatMap((identifier) => {
    const found = responses.get(identifier);
    return found ? [found.label, found.response] : ["NaN", "NaN"];
  });
}
