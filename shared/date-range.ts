import { z } from "zod";

/*
 * An export's date range: views with viewedAt in [since, until], both ISO dates, both
 * inclusive, as whole UTC days. Either end may be left open.
 */

export const isoDateSchema = z.iso.date({ error: "must be an ISO date (YYYY-MM-DD)" });

export interface DateRange {
  since?: string;
  until?: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The first ms of a UTC day. */
export function utcDayStartMs(date: string): number {
  return Date.parse(`${date}T00:00:00.000Z`);
}

/** The range as Unix ms, both inclusive (what Tinybird's `since`/`until` take); open ends are absent. */
export function rangeMs(range: DateRange): { sinceMs?: number; untilMs?: number } {
  return {
    ...(range.since ? { sinceMs: utcDayStartMs(range.since) } : {}),
    ...(range.until ? { untilMs: utcDayStartMs(range.until) + DAY_MS - 1 } : {}),
  };
}

/** The message when `since` is after `until`, or null. */
export function rangeError(range: DateRange): string | null {
  return range.since && range.until && range.since > range.until ? `since (${range.since}) is after until (${range.until})` : null;
}

/** "from 2026-01-01 to 2026-01-31", "from 2026-01-01", "to 2026-01-31", or "" for all time. */
export function describeRange(range: DateRange): string {
  return [range.since ? `from ${range.since}` : "", range.until ? `to ${range.until}` : ""].filter(Boolean).join(" ");
}
