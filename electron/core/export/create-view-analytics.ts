import type { ExportMode } from "../../../shared/settings";
import type { TinybirdClient } from "../tinybird/tinybird-client";
import { AutoAnalytics } from "./auto-analytics";
import { SqlAnalytics } from "./sql-analytics";
import { BatchAnalytics, PerViewAnalytics, type ViewAnalytics } from "./view-analytics";

export interface ViewAnalyticsOptions {
  /** Views per Query API query (sql and auto; default 1000). */
  idsPerQuery?: number;
  /** Why this mode: kept on the job record (default: CONFIGURED_MODE_REASON). */
  reason?: string;
}

/** The enrichment of an export mode. Make one per process: auto probes Tinybird once per instance. */
export function createViewAnalytics(mode: ExportMode, tinybird: TinybirdClient, options: ViewAnalyticsOptions = {}): ViewAnalytics {
  switch (mode) {
    case "per-view":
      return new PerViewAnalytics(tinybird, options.reason);
    case "batch":
      return new BatchAnalytics(tinybird, options.reason);
    case "sql":
      return new SqlAnalytics(tinybird, options);
    case "auto":
      return new AutoAnalytics(tinybird, { idsPerQuery: options.idsPerQuery });
  }
}
