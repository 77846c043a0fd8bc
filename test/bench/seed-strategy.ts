import { DOCUMENT_COLUMNS, DOCUMENT_GEO_COLUMNS } from "../../shared/csv-columns";
import { CsvWriter, type CsvSink } from "../../electron/core/csv/csv-writer";
import { DEFAULT_SETTINGS } from "../../shared/settings";
import { documentRow } from "../../electron/core/export/export-visits";
import { durationSeconds } from "../../electron/core/export/cell-values";
import { ALL_TIME, PerViewAnalytics } from "../../electron/core/export/view-analytics";
import type { TinybirdClient } from "../../electron/core/tinybird/tinybird-client";
import type { ViewsSource } from "../../electron/core/views/views-source";

/*
 * Strategy (a) of the throughput benchmark: the seed's way, as Papermark's export task runs
 * it. The views one after another; for each view its two Tinybird reads (page durations v5,
 * and user agent v3 with the v2 fallback) in flight together; every request through the same
 * in-process limiter. No other concurrency. The rows go through the same CSV writer as ours
 * (without custom fields), so the difference measured is the enrichment strategy.
 */

export interface SeedRunOutcome {
  views: number;
  rows: number;
}

/** Exports the document's views the seed's way; stops after `maxViews` when given (a sample). */
export async function seedStrategyExport(
  deps: { views: ViewsSource; tinybird: TinybirdClient },
  request: { teamId: string; documentId: string },
  sink: CsvSink,
  maxViews = Number.POSITIVE_INFINITY,
  onProgress?: (done: number) => void,
): Promise<SeedRunOutcome> {
  const { views, tinybird } = deps;
  const analytics = new PerViewAnalytics(tinybird);
  const document = await views.document(request.teamId, request.documentId);
  const writer = new CsvWriter(sink, DEFAULT_SETTINGS.csv);
  await writer.writeRow([...DOCUMENT_COLUMNS, ...DOCUMENT_GEO_COLUMNS]);
  let done = 0;
  outer: for await (const page of views.documentViews({ teamId: request.teamId, documentId: document.id })) {
    for (const view of page) {
      if (done >= maxViews) break outer;
      // The view's two reads in flight together, then the next view: the seed's loop.
      const [stats, ua] = await Promise.all([analytics.stats([{ id: view.id, documentId: document.id }], ALL_TIME), analytics.userAgent(view.id, document.id, ALL_TIME)]);
      await writer.writeRow(documentRow(view, document, stats.get(view.id)!, ua, []));
      done += 1;
      onProgress?.(done);
    }
  }
  await writer.flush();
  return { views: done, rows: writer.rows - 1 };
}

/**
 * The seed's loop for a dataroom: one visit (session) after another; for each, its user agent
 * (v3), then the durations (v5) of its document views, one after another. Each row holds the
 * session's and the document view's times, the duration and the user agent (a shorter row
 * than the real export's: the CSV is not what this strategy is measured on). Stops after
 * `maxSessions` sessions when given (a sample).
 */
export async function seedStrategyDataroomExport(
  deps: { views: ViewsSource; tinybird: TinybirdClient },
  request: { teamId: string; dataroomId: string },
  sink: CsvSink,
  maxSessions = Number.POSITIVE_INFINITY,
  onProgress?: (sessionsDone: number, rowsDone: number) => void,
): Promise<SeedRunOutcome & { sessions: number }> {
  const { views, tinybird } = deps;
  const analytics = new PerViewAnalytics(tinybird);
  const scope = { teamId: request.teamId, dataroomId: request.dataroomId };
  const writer = new CsvWriter(sink, DEFAULT_SETTINGS.csv);
  await writer.writeRow(["Dataroom Viewed At", "Document Viewed At", "Total Visit Duration (s)", "Browser", "OS", "Device"]);
  let sessions = 0;
  let done = 0;
  outer: for await (const page of views.sessions(scope)) {
    for (const session of page) {
      if (sessions >= maxSessions) break outer;
      const ua = (await analytics.userAgents([session.id])).get(session.id) ?? null;
      const uaCells = [ua?.browser ?? "NaN", ua?.os ?? "NaN", ua?.device ?? "NaN"];
      const documentViews = await views.documentViewsOfSessions(scope, [session.id]);
      if (documentViews.length === 0) await writer.writeRow([session.viewedAt, "NaN", "NaN", ...uaCells]);
      for (const view of documentViews) {
        const stats = (await analytics.stats([{ id: view.id, documentId: view.documentId }], ALL_TIME)).get(view.id)!;
        await writer.writeRow([session.viewedAt, view.viewedAt, durationSeconds(stats.durationMs), ...uaCells]);
      }
      sessions += 1;
      done += 1 + documentViews.length;
      onProgress?.(sessions, done);
    }
  }
  await writer.flush();
  return { views: done, sessions, rows: writer.rows - 1 };
}
