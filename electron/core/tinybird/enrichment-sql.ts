import { z } from "zod";
import { SQL_IDS_PER_QUERY } from "../../../shared/call-estimate";
import { AppError } from "../../../shared/errors";
import { isValidId } from "../../../shared/ids";

/*
 * The Query API's SQL for enrichment: per view, what Papermark's pipes give, for many views
 * per query. Only functions ClickHouse has had since version 18 (sum, uniqExact, argMin, their
 * -If forms, IN, GROUP BY). Ids and times are validated here: nothing else reaches the SQL text.
 */

/** A view and the document its page events are counted on ("null" when it has none, as Papermark asks). */
export interface ViewOnDocument {
  viewId: string;
  documentId: string;
}

/** ClickHouse refuses queries over 256 KiB (max_query_size): stay well below. */
export const MAX_QUERY_BYTES = 128 * 1024;
/** Views per query unless told otherwise (the call estimate counts with it too). */
export const DEFAULT_IDS_PER_QUERY = SQL_IDS_PER_QUERY;

/** A validated id as a ClickHouse string literal. */
export function sqlString(id: string): string {
  if (!isValidId(id)) throw new AppError("BAD_INPUT", `refusing to put ${JSON.stringify(String(id).slice(0, 80))} into SQL: not a valid id`);
  // The pattern admits no quote or backslash; escaping anyway keeps the literal safe on its own.
  return `'${id.replace(/[\\']/g, "\\$&")}'`;
}

const USER_AGENT_COLUMNS = ["country", "city", "browser", "os", "device"] as const;

/** The events that count, Unix ms, both inclusive (as the pipes' `since` and `until`). */
export interface EventWindow {
  sinceMs: number;
  untilMs?: number;
}

function msLiteral(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) throw new AppError("BAD_INPUT", `refusing to put ${String(ms)} into SQL: not a time in ms`);
  return String(ms);
}

/**
 * Per (view, document): `get_page_duration_per_view__v5`'s numbers (events on that document
 * from since to until, several events per page summed; pages = distinct page numbers) and
 * `get_useragent_per_view__v2`'s user agent (its earliest event from since, until or not;
 * ties broken by event id). Views without events from since have no row.
 */
export function pageViewStatsSql(views: readonly ViewOnDocument[], window: EventWindow = { sinceMs: 0 }): string {
  const byDocument = new Map<string, string[]>();
  for (const { viewId, documentId } of views) {
    const viewIds = byDocument.get(documentId);
    if (viewIds) viewIds.push(viewId);
    else byDocument.set(documentId, [viewId]);
  }
  const filter = [...byDocument]
    .map(([documentId, viewIds]) => `(documentId = ${sqlString(documentId)} AND viewId IN (${viewIds.map(sqlString).join(",")}))`)
    .join(" OR ");
  // v2 reads every event from since; v5 stops at until: the stats take only those.
  const counted =
    window.untilMs === undefined
      ? "sum(duration) AS sum_duration, uniqExact(pageNumber) AS pages_viewed"
      : `sumIf(duration, time <= ${msLiteral(window.untilMs)}) AS sum_duration, uniqExactIf(pageNumber, time <= ${msLiteral(window.untilMs)}) AS pages_viewed`;
  return [
    `SELECT viewId, documentId, ${counted},`,
    USER_AGENT_COLUMNS.map((column) => `argMin(${column}, (time, id)) AS ${column}`).join(", "),
    "FROM page_views__v3",
    `WHERE time >= ${msLiteral(window.sinceMs)} AND (${filter || "0"})`,
    "GROUP BY viewId, documentId",
    "FORMAT JSON",
  ].join("\n");
}

/**
 * Per view: `get_useragent_per_view__v3`'s answer, the `LIMIT 1` row of
 * `pm_click_events__v1` in the data source's order (timestamp first; click_id breaks ties).
 * Views without a click have no row.
 */
export function clickUserAgentsSql(viewIds: readonly string[]): string {
  return [
    "SELECT view_id AS viewId,",
    USER_AGENT_COLUMNS.map((column) => `argMin(${column}, (timestamp, click_id)) AS ${column}`).join(", "),
    "FROM pm_click_events__v1",
    `WHERE view_id IN (${viewIds.map(sqlString).join(",") || "''"})`,
    "GROUP BY view_id",
    "FORMAT JSON",
  ].join("\n");
}

/** Reads both data sources and nothing else: whether the token may run the enrichment SQL. */
export const QUERY_API_PROBE_SQL =
  "SELECT (SELECT count() FROM page_views__v3 WHERE viewId = '') AS page_views, (SELECT count() FROM pm_click_events__v1 WHERE view_id = '') AS click_events FORMAT JSON";

const count = z.coerce.number().int().nonnegative();
const text = z.string();
const userAgent = { country: text, city: text, browser: text, os: text, device: text };

export const pageViewStatsRow = z.object({ viewId: z.string(), documentId: z.string(), sum_duration: count, pages_viewed: count, ...userAgent });
export type PageViewStatsRow = z.infer<typeof pageViewStatsRow>;

export const clickUserAgentRow = z.object({ viewId: z.string(), ...userAgent });
export type ClickUserAgentRow = z.infer<typeof clickUserAgentRow>;

export const probeRow = z.object({ page_views: count, click_events: count });

/**
 * Splits items into query-sized chunks: at most `idsPerQuery` each, and small enough that
 * the ids (at `bytesOf` each) stay under MAX_QUERY_BYTES with the rest of the SQL.
 */
export function chunkForQueries<T>(items: readonly T[], idsPerQuery: number, bytesOf: (item: T) => number): T[][] {
  const budget = MAX_QUERY_BYTES - 2048;
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = bytesOf(item);
    if (current.length > 0 && (current.length >= idsPerQuery || bytes + size > budget)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length) chunks.push(current);
  return chunks;
}

/** Upper bound of what one view adds to pageViewStatsSql (its id, and its document's clause). */
export const pageViewStatsBytes = (view: ViewOnDocument) => view.viewId.length + view.documentId.length + 48;
export const clickUserAgentBytes = (viewId: string) => viewId.length + 4;
