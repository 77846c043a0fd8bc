/**
 * CSV column layouts, Papermark-compatible: the header texts are the ones Papermark's
 * export-visits task writes, casing quirks included ("Viewed at", "Document version", and
 * "Total View Duration (s)" for documents but "Total Visit Duration (s)" for datarooms).
 */
export const DOCUMENT_COLUMNS = [
  "Viewed at",
  "Name",
  "Email",
  "Link Name",
  "Total View Duration (s)",
  "Total Document Completion (%)",
  "Document version",
  "Downloaded at",
  "Verified",
  "Agreement Accepted",
  "Agreement Name",
  "Agreement Content",
  "Agreement Accepted At",
  "Viewed from dataroom",
  "Browser",
  "OS",
  "Device",
] as const;

/** Added to document exports only when the team's plan does not contain "pro". */
export const DOCUMENT_GEO_COLUMNS = ["Country", "City"] as const;

export const DATAROOM_COLUMNS = [
  "Dataroom Viewed At",
  "Dataroom Downloaded At",
  "Visitor Name",
  "Visitor Email",
  "Link Name",
  "Verified",
  "Agreement Accepted",
  "Agreement Name",
  "Agreement Content",
  "Agreement Accepted At",
  "Document Name",
  "Document Viewed At",
  "Document Downloaded At",
  "Total Visit Duration (s)",
  "Total Document Completion (%)",
  "Document Version",
  "Browser",
  "OS",
  "Device",
  "Country",
  "City",
] as const;

/** The document part of a dataroom row (NaN on a session without document views). */
export const DATAROOM_DOCUMENT_COLUMN_COUNT = 6;

/** `Custom Field <n> Label`, `Custom Field <n> Value` for n = 1..count. */
export function customFieldColumns(count: number): string[] {
  const columns: string[] = [];
  for (let n = 1; n <= count; n++) columns.push(`Custom Field ${n} Label`, `Custom Field ${n} Value`);
  return columns;
}

/** Papermark's team-plan rule: Country, City and custom fields are left out on "pro" plans. */
export function isProPlan(plan: string): boolean {
  return plan.includes("pro");
}

/**
 * visits-<resource>-<YYYY-MM-DD>.csv (Papermark's name), with the resource name made
 * file-system safe; an export with a date range adds it: …-<date>-from-<since>-to-<until>.csv.
 */
export function exportFileName(resourceName: string, date: Date, range: { since?: string; until?: string } = {}): string {
  const bounds = `${range.since ? `-from-${range.since}` : ""}${range.until ? `-to-${range.until}` : ""}`;
  return `visits-${resourceName.replace(/[^a-zA-Z0-9]/g, "_")}-${date.toISOString().slice(0, 10)}${bounds}.csv`;
}
