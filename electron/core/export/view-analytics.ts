import { ENRICHMENT_MODES, type EnrichmentMode } from "../../../shared/job";
import { EXPORT_MODES, type ExportMode } from "../../../shared/settings";
import { BATCH_IDS_PER_QUERY } from "../../../shared/call-estimate";
import { PIPES, pageDurationRow, userAgentRow, viewDocumentStatsRow, type UserAgentRow } from "../tinybird/pipes";
import type { TinybirdClient } from "../tinybird/tinybird-client";

export { ENRICHMENT_MODES, EXPORT_MODES, type EnrichmentMode, type ExportMode };

/** Time spent and pages seen by one view on its document. */
export interface ViewStats {
  durationMs: number;
  pagesViewed: number;
}

/** A view's stats and user agent (v3, else v2 on its document). */
export interface EnrichedView extends ViewStats {
  userAgent: UserAgentRow | null;
}

/**
 * The Tinybird events that count, as Unix ms, both inclusive: the export's date range (the
 * pipes take `since`, and v5 also `until`). Without a range, since is 0 and until absent.
 */
export interface EventBounds {
  sinceMs: number;
  untilMs?: number;
}

/** Every event: an export without a date range. */
export const ALL_TIME: EventBounds = { sinceMs: 0 };

/** Tinybird parameters for the bounds. */
const boundParams = (bounds: EventBounds) => ({ since: bounds.sinceMs, ...(bounds.untilMs !== undefined ? { until: bounds.untilMs } : {}) });

export interface ViewRef {
  id: string;
  /** Papermark asks Tinybird with documentId "null" when a view has none. */
  documentId: string | null;
}

/**
 * Tinybird analytics of views. `per-view` is the seed's behaviour (pipes, one or two calls
 * per view), `batch` asks the batch pipe for durations, `sql` reads the data sources through
 * the Query API, many views per query. All must give the same numbers.
 */
export interface ViewAnalytics {
  /** The mode that runs (auto: until forExport() picks one), and why (kept on the job record). */
  readonly mode: ExportMode;
  readonly reason: string;
  /** Views per enrichment step this mode works best with (sql: one query's worth). */
  readonly windowSize?: number;
  /** What runs one export: this, or (auto) the mode picked for it. */
  forExport(signal?: AbortSignal): Promise<ViewAnalytics>;
  /** Duration and pages of each view on its document within `bounds` (`get_page_duration_per_view__v5`). */
  stats(views: readonly ViewRef[], bounds: EventBounds, signal?: AbortSignal): Promise<Map<string, ViewStats>>;
  /** Stats plus user agent: v3, else v2 (events from `bounds.sinceMs`) on the view's document (document exports). */
  statsWithUserAgents(views: readonly ViewRef[], bounds: EventBounds, signal?: AbortSignal): Promise<Map<string, EnrichedView>>;
  /** v3 user agents only (dataroom visits: Papermark does not fall back to v2). */
  userAgents(viewIds: readonly string[], signal?: AbortSignal): Promise<Map<string, UserAgentRow | null>>;
}

export const documentOf = (view: ViewRef) => view.documentId ?? "null";

/** The reason a fixed (not auto) mode runs, as the job record shows it. */
export const CONFIGURED_MODE_REASON = "set in the configuration";

abstract class PipeAnalytics implements ViewAnalytics {
  abstract readonly mode: EnrichmentMode;
  readonly reason: string;
  constructor(
    protected readonly tinybird: TinybirdClient,
    reason?: string,
  ) {
    this.reason = reason ?? CONFIGURED_MODE_REASON;
  }

  forExport(): Promise<ViewAnalytics> {
    return Promise.resolve(this);
  }

  abstract stats(views: readonly ViewRef[], bounds: EventBounds, signal?: AbortSignal): Promise<Map<string, ViewStats>>;

  /** User agent and geo; with `fallbackDocumentId`, asks the older v2 pipe (events from `bounds.sinceMs`) when v3 has nothing. */
  async userAgent(viewId: string, fallbackDocumentId: string | null, bounds: EventBounds, signal?: AbortSignal): Promise<UserAgentRow | null> {
    const [current] = await this.tinybird.query(PIPES.userAgentPerViewV3, { viewId }, userAgentRow, signal);
    if (current || fallbackDocumentId === null) return current ?? null;
    const [older] = await this.tinybird.query(PIPES.userAgentPerViewV2, { documentId: fallbackDocumentId, viewId, since: bounds.sinceMs }, userAgentRow, signal);
    return older ?? null;
  }

  async statsWithUserAgents(views: readonly ViewRef[], bounds: EventBounds, signal?: AbortSignal): Promise<Map<string, EnrichedView>> {
    const [stats, agents] = await Promise.all([this.stats(views, bounds, signal), Promise.all(views.map((view) => this.userAgent(view.id, documentOf(view), bounds, signal)))]);
    return new Map(views.map((view, index) => [view.id, { ...stats.get(view.id)!, userAgent: agents[index] ?? null }]));
  }

  async userAgents(viewIds: readonly string[], signal?: AbortSignal): Promise<Map<string, UserAgentRow | null>> {
    const agents = await Promise.all(viewIds.map((id) => this.userAgent(id, null, ALL_TIME, signal)));
    return new Map(viewIds.map((id, index) => [id, agents[index] ?? null]));
  }
}

export class PerViewAnalytics extends PipeAnalytics {
  readonly mode = "per-view" as const;

  async stats(views: readonly ViewRef[], bounds: EventBounds, signal?: AbortSignal): Promise<Map<string, ViewStats>> {
    const entries = await Promise.all(
      views.map(async (view): Promise<[string, ViewStats]> => {
        const pages = await this.tinybird.query(PIPES.pageDurationPerView, { documentId: documentOf(view), viewId: view.id, ...boundParams(bounds) }, pageDurationRow, signal);
        // Papermark: completion counts the page rows, duration sums them.
        return [view.id, { durationMs: pages.reduce((sum, page) => sum + page.sum_duration, 0), pagesViewed: pages.length }];
      }),
    );
    return new Map(entries);
  }
}

export class BatchAnalytics extends PipeAnalytics {
  readonly mode = "batch" as const;

  constructor(
    tinybird: TinybirdClient,
    reason?: string,
    private readonly idsPerQuery = BATCH_IDS_PER_QUERY,
  ) {
    super(tinybird, reason);
  }

  async stats(views: readonly ViewRef[], bounds: EventBounds, signal?: AbortSignal): Promise<Map<string, ViewStats>> {
    const out = new Map<string, ViewStats>();
    const chunks: ViewRef[][] = [];
    for (let i = 0; i < views.length; i += this.idsPerQuery) chunks.push(views.slice(i, i + this.idsPerQuery));
    await Promise.all(
      chunks.map(async (chunk) => {
        const rows = await this.tinybird.query(PIPES.dataroomViewDocumentStats, { viewIds: chunk.map((v) => v.id).join(","), ...boundParams(bounds) }, viewDocumentStatsRow, signal);
        const documentIds = new Map(chunk.map((v) => [v.id, documentOf(v)]));
        for (const row of rows) {
          // A view's events on other documents are not part of its stats.
          if (documentIds.get(row.viewId) !== row.documentId) continue;
          out.set(row.viewId, { durationMs: row.sum_duration, pagesViewed: row.pages_viewed });
        }
      }),
    );
    for (const view of views) if (!out.has(view.id)) out.set(view.id, { durationMs: 0, pagesViewed: 0 });
    return out;
  }
}
