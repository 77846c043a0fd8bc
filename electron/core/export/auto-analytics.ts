import { AppError } from "../../../shared/errors";
import { probeRow, QUERY_API_PROBE_SQL } from "../tinybird/enrichment-sql";
import { PIPES, viewDocumentStatsRow } from "../tinybird/pipes";
import { untilAborted } from "../time/abortable";
import { TinybirdHttpError, type TinybirdClient } from "../tinybird/tinybird-client";
import { QueryAnswerError, QueryApiRefusedError, SqlAnalytics } from "./sql-analytics";
import { BatchAnalytics, PerViewAnalytics, type EnrichedView, type EventBounds, type ViewAnalytics, type ViewRef, type ViewStats } from "./view-analytics";
import type { UserAgentRow } from "../tinybird/pipes";

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * `auto`: sql when the token may run SQL on the Query API, else batch, else per-view. The
 * token is probed once per instance (one per process) and the answer kept. When the Query
 * API refuses or answers nonsense during an export, that export finishes in the fallback
 * mode (same CSV) and later exports start there.
 */
export class AutoAnalytics implements ViewAnalytics {
  readonly mode = "auto" as const;
  readonly reason = "auto: not probed yet";
  private choice: Promise<ViewAnalytics> | null = null;

  constructor(
    private readonly tinybird: TinybirdClient,
    private readonly options: { idsPerQuery?: number } = {},
  ) {}

  async forExport(signal?: AbortSignal): Promise<ViewAnalytics> {
    this.choice ??= this.probe().catch((error: unknown) => {
      // Not kept: a token or network problem fails this export and is asked again next time.
      this.choice = null;
      throw error;
    });
    // The probe serves every export of the process: a cancelled export stops waiting, the probe goes on.
    const chosen = await untilAborted(this.choice, signal);
    return chosen instanceof SqlAnalytics ? new QueryApiWithFallback(chosen, (error) => this.demote(chosen, error)) : chosen;
  }

  private async probe(): Promise<ViewAnalytics> {
    try {
      await this.tinybird.sql(QUERY_API_PROBE_SQL, probeRow);
      return new SqlAnalytics(this.tinybird, { ...this.options, reason: "auto: the token may run SQL on the Query API" });
    } catch (error) {
      if (error instanceof TinybirdHttpError) return this.pipes(`Query API refused (${error.status})`);
      if (error instanceof AppError && error.code === "RETRIES_EXHAUSTED") return this.pipes(`Query API unavailable (${errorText(error)})`);
      throw error;
    }
  }

  /** batch when the batch pipe is deployed, else per-view. */
  private async pipes(why: string): Promise<ViewAnalytics> {
    try {
      await this.tinybird.query(PIPES.dataroomViewDocumentStats, { viewIds: "probe", since: 0 }, viewDocumentStatsRow);
      return new BatchAnalytics(this.tinybird, `${why}: using batch`);
    } catch (error) {
      if (error instanceof TinybirdHttpError && error.status === 404) return new PerViewAnalytics(this.tinybird, `${why}, no batch pipe (404): using per-view`);
      throw error;
    }
  }

  /** The Query API failed during an export: this and later exports use the pipes. */
  private demote(failed: SqlAnalytics, error: unknown): Promise<ViewAnalytics> {
    const current = this.choice;
    const fallback = (async () => {
      const chosen = await current;
      return chosen === failed || !chosen ? this.pipes(`Query API failed during an export (${errorText(error)})`) : chosen;
    })();
    this.choice = fallback;
    return fallback;
  }

  // AutoAnalytics itself never enriches: exports run what forExport() picked.
  async stats(views: readonly ViewRef[], bounds: EventBounds, signal?: AbortSignal): Promise<Map<string, ViewStats>> {
    return (await this.forExport(signal)).stats(views, bounds, signal);
  }

  async statsWithUserAgents(views: readonly ViewRef[], bounds: EventBounds, signal?: AbortSignal): Promise<Map<string, EnrichedView>> {
    return (await this.forExport(signal)).statsWithUserAgents(views, bounds, signal);
  }

  async userAgents(viewIds: readonly string[], signal?: AbortSignal): Promise<Map<string, UserAgentRow | null>> {
    return (await this.forExport(signal)).userAgents(viewIds, signal);
  }
}

/** The sql mode of one export, switching to the pipes when the Query API refuses or answers nonsense. */
class QueryApiWithFallback implements ViewAnalytics {
  mode: ViewAnalytics["mode"] = "sql";
  reason: string;
  readonly windowSize: number;
  private fallback: Promise<ViewAnalytics> | null = null;

  constructor(
    private readonly sql: SqlAnalytics,
    private readonly demote: (error: unknown) => Promise<ViewAnalytics>,
  ) {
    this.reason = sql.reason;
    this.windowSize = sql.windowSize;
  }

  forExport(): Promise<ViewAnalytics> {
    return Promise.resolve(this);
  }

  stats(views: readonly ViewRef[], bounds: EventBounds, signal?: AbortSignal): Promise<Map<string, ViewStats>> {
    return this.attempt((analytics) => analytics.stats(views, bounds, signal), signal);
  }

  statsWithUserAgents(views: readonly ViewRef[], bounds: EventBounds, signal?: AbortSignal): Promise<Map<string, EnrichedView>> {
    return this.attempt((analytics) => analytics.statsWithUserAgents(views, bounds, signal), signal);
  }

  userAgents(viewIds: readonly string[], signal?: AbortSignal): Promise<Map<string, UserAgentRow | null>> {
    return this.attempt((analytics) => analytics.userAgents(viewIds, signal), signal);
  }

  private async attempt<T>(call: (analytics: ViewAnalytics) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (!this.fallback) {
      try {
        return await call(this.sql);
      } catch (error) {
        if (signal?.aborted || !(error instanceof QueryApiRefusedError || error instanceof QueryAnswerError)) throw error;
        this.fallback ??= this.demote(error);
      }
    }
    const fallback = await this.fallback;
    this.mode = fallback.mode;
    this.reason = fallback.reason;
    return call(fallback);
  }
}
