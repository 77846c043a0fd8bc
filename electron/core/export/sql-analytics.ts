import type { z } from "zod";
import { AppError } from "../../../shared/errors";
import {
  chunkForQueries,
  clickUserAgentBytes,
  clickUserAgentRow,
  clickUserAgentsSql,
  DEFAULT_IDS_PER_QUERY,
  pageViewStatsBytes,
  pageViewStatsRow,
  pageViewStatsSql,
  type ClickUserAgentRow,
  type PageViewStatsRow,
  type ViewOnDocument,
} from "../tinybird/enrichment-sql";
import type { UserAgentRow } from "../tinybird/pipes";
import { TinybirdHttpError, type TinybirdClient } from "../tinybird/tinybird-client";
import { CONFIGURED_MODE_REASON, documentOf, type EnrichedView, type EventBounds, type ViewAnalytics, type ViewRef, type ViewStats } from "./view-analytics";

export interface SqlAnalyticsOptions {
  /** Views per query (default 1000); small values let tests cross chunk boundaries. */
  idsPerQuery?: number;
  reason?: string;
}

const userAgentOf = (row: UserAgentRow): UserAgentRow => ({ country: row.country, city: row.city, browser: row.browser, os: row.os, device: row.device });

/**
 * Enrichment over Tinybird's Query API: per chunk of views one query on `page_views__v3`
 * (durations, pages, v2 user agent) and one on `pm_click_events__v1` (v3 user agent), so an
 * export costs a few calls whatever its size. Answers are checked against what was asked: a
 * row for a view that was not asked for, or twice, fails the export instead of a wrong CSV.
 */
export class SqlAnalytics implements ViewAnalytics {
  readonly mode = "sql" as const;
  readonly reason: string;
  readonly windowSize: number;

  constructor(
    private readonly tinybird: TinybirdClient,
    options: SqlAnalyticsOptions = {},
  ) {
    this.windowSize = options.idsPerQuery ?? DEFAULT_IDS_PER_QUERY;
    if (!Number.isInteger(this.windowSize) || this.windowSize < 1) throw new AppError("BAD_INPUT", `idsPerQuery must be a whole number >= 1, got ${this.windowSize}`);
    this.reason = options.reason ?? CONFIGURED_MODE_REASON;
  }

  forExport(): Promise<ViewAnalytics> {
    return Promise.resolve(this);
  }

  async stats(views: readonly ViewRef[], bounds: EventBounds, signal?: AbortSignal): Promise<Map<string, ViewStats>> {
    const rows = await this.pageViewStats(views, bounds, signal);
    return new Map(views.map((view) => [view.id, statsOf(rows.get(view.id))]));
  }

  async statsWithUserAgents(views: readonly ViewRef[], bounds: EventBounds, signal?: AbortSignal): Promise<Map<string, EnrichedView>> {
    const [pageViews, clicks] = await Promise.all([this.pageViewStats(views, bounds, signal), this.clickUserAgents(views.map((view) => view.id), signal)]);
    return new Map(
      views.map((view) => {
        const stats = pageViews.get(view.id);
        const click = clicks.get(view.id);
        // v3 when the view has a click event; else v2: its earliest page view on the document (from since).
        const userAgent = click ? userAgentOf(click) : stats ? userAgentOf(stats) : null;
        return [view.id, { ...statsOf(stats), userAgent }];
      }),
    );
  }

  async userAgents(viewIds: readonly string[], signal?: AbortSignal): Promise<Map<string, UserAgentRow | null>> {
    const clicks = await this.clickUserAgents(viewIds, signal);
    return new Map(viewIds.map((id) => [id, clicks.has(id) ? userAgentOf(clicks.get(id)!) : null]));
  }

  private async pageViewStats(views: readonly ViewRef[], bounds: EventBounds, signal?: AbortSignal): Promise<Map<string, PageViewStatsRow>> {
    const asked = new Map<string, string>();
    for (const view of views) asked.set(view.id, documentOf(view));
    const pairs: ViewOnDocument[] = [...asked].map(([viewId, documentId]) => ({ viewId, documentId }));
    const out = new Map<string, PageViewStatsRow>();
    await Promise.all(
      chunkForQueries(pairs, this.windowSize, pageViewStatsBytes).map(async (chunk) => {
        for (const row of await this.run(pageViewStatsSql(chunk, bounds), pageViewStatsRow, signal)) {
          if (asked.get(row.viewId) !== row.documentId || out.has(row.viewId)) throw unexpectedRow("page_views__v3", row.viewId);
          out.set(row.viewId, row);
        }
      }),
    );
    return out;
  }

  private async clickUserAgents(viewIds: readonly string[], signal?: AbortSignal): Promise<Map<string, ClickUserAgentRow>> {
    const asked = new Set(viewIds);
    const out = new Map<string, ClickUserAgentRow>();
    await Promise.all(
      chunkForQueries([...asked], this.windowSize, clickUserAgentBytes).map(async (chunk) => {
        for (const row of await this.run(clickUserAgentsSql(chunk), clickUserAgentRow, signal)) {
          if (!asked.has(row.viewId) || out.has(row.viewId)) throw unexpectedRow("pm_click_events__v1", row.viewId);
          out.set(row.viewId, row);
        }
      }),
    );
    return out;
  }

  private async run<T>(sql: string, row: z.ZodType<T>, signal?: AbortSignal): Promise<T[]> {
    try {
      return await this.tinybird.sql(sql, row, signal);
    } catch (error) {
      if (error instanceof TinybirdHttpError) throw queryApiError(error);
      throw error;
    }
  }
}

function statsOf(row: PageViewStatsRow | undefined): ViewStats {
  return row ? { durationMs: row.sum_duration, pagesViewed: row.pages_viewed } : { durationMs: 0, pagesViewed: 0 };
}

/** A Query API answer that does not fit the question: never turned into CSV cells. */
export class QueryAnswerError extends AppError {}

function unexpectedRow(source: string, viewId: string): QueryAnswerError {
  return new QueryAnswerError("INTERNAL", `the Query API answered an unexpected ${source} row (view ${JSON.stringify(viewId.slice(0, 80))}: not asked for, or twice)`);
}

/** What a refusal of the Query API means for the user. */
export class QueryApiRefusedError extends AppError {
  constructor(readonly status: number, code: AppError["code"], message: string) {
    super(code, message);
  }
}

function queryApiError(error: TinybirdHttpError): QueryApiRefusedError {
  const detail = error.message.replace(/^Tinybird (refused the token|answered) \(?\d{3}\)?( for \S+)?: /, "");
  if (error.code === "TINYBIRD_AUTH") {
    return new QueryApiRefusedError(
      error.status,
      "TINYBIRD_AUTH",
      `the Query API refused the token (${error.status}): ${detail}. Give the token READ rights on page_views__v3 and pm_click_events__v1, or use the auto or batch mode`,
    );
  }
  return new QueryApiRefusedError(error.status, "BAD_INPUT", `the Query API refused the enrichment query (${error.status}): ${detail}`);
}
