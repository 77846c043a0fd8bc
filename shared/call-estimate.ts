import type { EnrichmentMode } from "./job";
import type { ExportMode } from "./settings";

/** Batch mode: view ids per batch-pipe query (keeps URLs well under common 8 KB limits). */
export const BATCH_IDS_PER_QUERY = 100;
/** Sql mode: views per Query API query unless told otherwise. */
export const SQL_IDS_PER_QUERY = 1000;

export interface CallEstimate {
  /** The mode the estimate is for (auto: sql, the mode it picks when the token may run SQL). */
  mode: EnrichmentMode;
  calls: number;
  /** Auto only: the calls if the token may not run SQL and the export runs in batch mode. */
  fallbackCalls?: number;
}

/**
 * Tinybird calls an export of `views` views (dataroom: visits) costs, as an upper bound: every
 * view's user agent is assumed missing from v3, so each costs a v2 fallback call too.
 * - per-view: a page-duration call, a v3 and a v2 user-agent call per view;
 * - batch: one batch-pipe call per BATCH_IDS_PER_QUERY views, plus the per-view user agents;
 * - sql: a stats and a user-agent query per SQL_IDS_PER_QUERY views;
 * - auto: sql plus the one probe of the Query API.
 * Dataroom document views inside the visits are not known before the export and not counted.
 */
export function estimateTinybirdCalls(views: number, mode: ExportMode): CallEstimate {
  if (!Number.isInteger(views) || views < 0) throw new RangeError(`views must be a whole number >= 0, got ${views}`);
  const userAgentCalls = 2 * views;
  switch (mode) {
    case "per-view":
      return { mode, calls: views + userAgentCalls };
    case "batch":
      return { mode, calls: Math.ceil(views / BATCH_IDS_PER_QUERY) + userAgentCalls };
    case "sql":
      return { mode, calls: 2 * Math.ceil(views / SQL_IDS_PER_QUERY) };
    case "auto":
      return { mode: "sql", calls: estimateTinybirdCalls(views, "sql").calls + 1, fallbackCalls: estimateTinybirdCalls(views, "batch").calls };
  }
}
