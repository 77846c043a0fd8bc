import { PIPES, pageDurationRow, userAgentRow, viewDocumentStatsRow, type UserAgentRow } from "../tinybird/pipes";
import type { TinybirdClient } from "../tinybird/tinybird-client";

export const ENRICHMENT_MODES = ["per-view", "batch"] as const;
export type EnrichmentMode = (typeof ENRICHMENT_MODES)[number];

/** Time spent and pages seen by one view on its document. */
export interface ViewStats {
  durationMs: number;
  pagesViewed: number;
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
 * Tinybird analytics of views. `per-view` is the seed's behaviour (one page-duration query
 * per view); `batch` asks for many views per query and must give the same numbers.
 */
export interface ViewAnalytics {
  readonly mode: EnrichmentMode;
  stats(views: readonly ViewRef[], bounds: EventBounds, signal?: AbortSignal): Promise<Map<string, ViewStats>>;
  /** User agent and geo; with `fallbackDocumentId`, asks the older v2 pipe (events from `bounds.sinceMs`) when v3 has nothing. */
  userAgent(viewId: string, fallbackDocumentId: string | null, bounds: EventBounds, signal?: AbortSignal): Promise<UserAgentRow | null>;
}

abstract class BaseAnalytics implements ViewAnalytics {
  abstract readonly mode: EnrichmentMode;
  constructor(protected readonly tinybird: TinybirdClient) {}

  abstract stats(views: readonly ViewRef[], bounds: EventBounds, signal?: AbortSignal): Promise<Map<string, ViewStats>>;

  async userAgent(viewId: string, fallbackDocumentId: string | null, bounds: EventBounds, signal?: AbortSignal): Promise<UserAgentRow | null> {
    const [current] = await this.tinybird.query(PIPES.userAgentPerViewV3, { viewId }, userAgentRow, signal);
    if (current || fallbackDocumentId === null) return current ?? null;
    const [older] = await this.tinybird.query(PIPES.userAgentPerViewV2, { documentId: fallbackDocumentId, viewId, since: bounds.sinceMs }, userAgentRow, signal);
    return older ?? null;
  }
}

export class PerViewAnalytics extends BaseAnalytics {
  readonly mode = "per-view" as const;

  async stats(views: readonly ViewRef[], bounds: EventBounds, signal?: AbortSignal): Promise<Map<string, ViewStats>> {
    const entries = await Promise.all(
      views.map(async (view): Promise<[string, ViewStats]> => {
        const pages = await this.tinybird.query(
          PIPES.pageDurationPerView,
          { documentId: view.documentId ?? "null", viewId: view.id, ...boundParams(bounds) },
          pageDurationRow,
          signal,
        );
        // Papermark: completion counts the page rows, duration sums them.
        return [view.id, { durationMs: pages.reduce((sum, page) => sum + page.sum_duration, 0), pagesViewed: pages.length }];
      }),
    );
    return new Map(entries);
  }
}

export class BatchAnalytics extends BaseAnalytics {
  readonly mode = "batch" as const;

  constructor(
    tinybird: TinybirdClient,
    /** View ids per query: keeps URLs well under common 8 KB limits. */
    private readonly idsPerQuery = 100,
  ) {
    super(tinybird);
  }

  async stats(views: readonly ViewRef[], bounds: EventBounds, signal?: AbortSignal): Promise<Map<string, ViewStats>> {
    const out = new Map<string, ViewStats>();
    const chunks: ViewRef[][] = [];
    for (let i = 0; i < views.length; i += this.idsPerQuery) chunks.push(views.slice(i, i + this.idsPerQuery));
    await Promise.all(
      chunks.map(async (chunk) => {
        const rows = await this.tinybird.query(
          PIPES.dataroomViewDocumentStats,
          { viewIds: chunk.map((v) => v.id).join(","), ...boundParams(bounds) },
          viewDocumentStatsRow,
          signal,
        );
        const documentOf = new Map(chunk.map((v) => [v.id, v.documentId ?? "null"]));
        for (const row of rows) {
          // A view's events on other documents are not part of its stats.
          if (documentOf.get(row.viewId) !== row.documentId) continue;
          out.set(row.viewId, { durationMs: row.sum_duration, pagesViewed: row.pages_viewed });
        }
      }),
    );
    for (const view of views) if (!out.has(view.id)) out.set(view.id, { durationMs: 0, pagesViewed: 0 });
    return out;
  }
}

export function createViewAnalytics(mode: EnrichmentMode, tinybird: TinybirdClient): ViewAnalytics {
  return mode === "batch" ? new BatchAnalytics(tinybird) : new PerViewAnalytics(tinybird);
}
