import type { ColumnVisibility } from "./columns-store";

/** The jobs table's optional columns, in table order, with their menu labels. */
export const OPTIONAL_COLUMNS = [
  ["id", "Id"],
  ["resource", "Resource"],
  ["type", "Type"],
  ["group", "Group"],
  ["status", "Status"],
  ["progress", "Progress"],
  ["user", "User"],
  ["createdAt", "Created"],
  ["updatedAt", "Updated"],
  ["startedAt", "Started"],
  ["completedAt", "Completed"],
  ["duration", "Duration"],
  ["rows", "Rows"],
  ["bytes", "File size"],
  ["error", "Error"],
] as const satisfies readonly (readonly [string, string])[];

/**
 * Shown at first: what fits a 1,280 px laptop screen. The type and group are under the
 * resource's name, a failure's error is an icon with a tooltip beside the status.
 */
export const DEFAULT_COLUMN_VISIBILITY: ColumnVisibility = {
  type: false,
  group: false,
  updatedAt: false,
  startedAt: false,
  completedAt: false,
  duration: false,
  rows: false,
  bytes: false,
  error: false,
};
