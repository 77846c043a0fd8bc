import { DOCUMENT_COLUMNS, DOCUMENT_GEO_COLUMNS } from "../../shared/csv-columns";
import { CsvWriter, DEFAULT_CSV_OPTIONS, type CsvSink } from "../../electron/csv/csv-writer";
import { completion, durationSeconds, orNaN, versionInForce, yesOr } from "../../electron/export/cell-values";
import { PIPES, pageDurationRow, userAgentRow, type UserAgentRow } from "../../electron/tinybird/pipes";
import type { TinybirdClient } from "../../electron/tinybird/tinybird-client";
import type { ViewsSource } from "../../electron/views/views-source";

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

async function userAgent(tinybird: TinybirdClient, viewId: string, documentId: string): Promise<UserAgentRow | null> {
  const [current] = await tinybird.query(PIPES.userAgentPerViewV3, { viewId }, userAgentRow);
  if (current) return current;
  const [older] = await tinybird.query(PIPES.userAgentPerViewV2, { documentId, viewId, since: 0 }, userAgentRow);
  return older ?? null;
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
  const document = await views.document(request.teamId, request.documentId);
  const writer = new CsvWriter(sink, DEFAULT_CSV_OPTIONS);
  await writer.writeRow([...DOCUMENT_COLUMNS, ...DOCUMENT_GEO_COLUMNS]);
  let done = 0;
  outer: for await (const page of views.documentViews(request.teamId, document.id)) {
    for (const view of page) {
      if (done >= maxViews) break outer;
      const [pages, ua] = await Promise.all([
        tinybird.query(PIPES.pageDurationPerView, { documentId: document.id, viewId: view.id, since: 0 }, pageDurationRow),
        userAgent(tinybird, view.id, document.id),
      ]);
      const version = versionInForce(document, view.viewedAt);
      await writer.writeRow([
        view.viewedAt,
        orNaN(view.viewerName),
        orNaN(view.viewerEmail),
        orNaN(view.linkName),
        durationSeconds(pages.reduce((sum, p) => sum + p.sum_duration, 0)),
        completion(pages.length, version.numPages),
        version.versionNumber,
        orNaN(view.downloadedAt),
        yesOr(view.verified, "No"),
        yesOr(view.agreementAccepted, "NaN"),
        orNaN(view.agreementName),
        orNaN(view.agreementContent),
        orNaN(view.agreementAcceptedAt),
        yesOr(view.dataroomId !== null, "No"),
        orNaN(ua?.browser),
        orNaN(ua?.os),
        orNaN(ua?.device),
        orNaN(ua?.country),
        orNaN(ua?.city),
      ]);
      done += 1;
      onProgress?.(done);
    }
  }
  await writer.flush();
  return { views: done, rows: writer.rows - 1 };
}
