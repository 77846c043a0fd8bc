import { DATAROOM_COLUMNS, DATAROOM_DOCUMENT_COLUMN_COUNT, DOCUMENT_COLUMNS, DOCUMENT_GEO_COLUMNS, customFieldColumns, isProPlan } from "../../../shared/csv-columns";
import { describeRange, rangeMs } from "../../../shared/date-range";
import { AppError } from "../../../shared/errors";
import type { CsvProfile, EnrichmentMode, JobType } from "../../../shared/job";
import { CsvWriter, type CsvOptions, type CsvSink } from "../csv/csv-writer";
import type { UserAgentRow } from "../tinybird/pipes";
import { groupExportName, type DataroomScope, type DocumentRow, type DocumentScope, type ViewRow, type ViewsSource } from "../views/views-source";
import { cellFormat, completion, durationSeconds, versionInForce, type CellFormat } from "./cell-values";
import { lookAhead, windows } from "./look-ahead";
import type { EventBounds, ViewAnalytics, ViewStats } from "./view-analytics";

export interface ExportRequest {
  type: JobType;
  teamId: string;
  resourceId: string;
  groupId?: string;
  /** Only views with viewedAt in [since, until] (ISO dates, UTC days, inclusive). */
  since?: string;
  until?: string;
  /** Papermark's exact CSV (default) or the spreadsheet profile. */
  profile?: CsvProfile;
}

/** An ExportRequest from fields that may be missing or empty (a job record, CLI flags): those are left out. */
export function exportRequest(fields: { type: JobType; teamId: string; resourceId: string } & { [K in "groupId" | "since" | "until" | "profile"]?: ExportRequest[K] | null }): ExportRequest {
  const { type, teamId, resourceId, groupId, since, until, profile } = fields;
  return {
    type,
    teamId,
    resourceId,
    ...(groupId ? { groupId } : {}),
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
    ...(profile ? { profile } : {}),
  };
}

export interface ExportStart {
  resourceName: string;
  /** Views to enrich: document views, or dataroom sessions plus their document views. */
  total: number;
  /** The enrichment mode that runs, and why (auto: what the probe found). */
  mode: EnrichmentMode;
  modeReason: string;
}

export interface ExportRunOptions {
  csv: CsvOptions;
  signal?: AbortSignal;
  onStart?: (start: ExportStart) => Promise<void> | void;
  /** Called as views are done (views done, views to do). */
  onProgress?: (done: number, total: number) => void;
  /** Views enriched side by side before their rows are written (default 50). */
  window?: number;
}

/** `mode` and `modeReason` are the final ones: auto may fall back during the export. */
export interface ExportOutcome extends ExportStart {
  rows: number;
  warnings: string[];
}

export interface ExportDeps {
  views: ViewsSource;
  /** Asked once per export which analytics run it (forExport). */
  analytics: ViewAnalytics;
}

/** What one export runs with: its analytics (never auto) and its window size. */
interface ExportRun {
  analytics: ViewAnalytics;
  window: number;
}

async function prepareRun(deps: ExportDeps, options: ExportRunOptions): Promise<ExportRun> {
  const analytics = await deps.analytics.forExport(options.signal);
  if (analytics.mode === "auto") throw new AppError("INTERNAL", "auto analytics picked no mode");
  // sql wants its windows a query's worth of views wide.
  return { analytics, window: Math.max(options.window ?? 50, analytics.windowSize ?? 0) };
}

function modeOf(analytics: ViewAnalytics): { mode: EnrichmentMode; modeReason: string } {
  if (analytics.mode === "auto") throw new AppError("INTERNAL", "auto analytics picked no mode");
  return { mode: analytics.mode, modeReason: analytics.reason };
}

/** Windows being enriched at once: the next one fills the limiter while the current one finishes. */
const LOOK_AHEAD = 2;

const uaCells = (ua: UserAgentRow | null, format: CellFormat) => [format.missing(ua?.browser), format.missing(ua?.os), format.missing(ua?.device)];

/** The Tinybird events that count: those in the export's date range (all of them without one). */
function eventBounds(request: ExportRequest): EventBounds {
  const { sinceMs, untilMs } = rangeMs(request);
  return { sinceMs: sinceMs ?? 0, ...(untilMs !== undefined ? { untilMs } : {}) };
}

/** " from 2026-01-01 to 2026-01-31" for messages, or "" without a range. */
function inRange(request: ExportRequest): string {
  const range = describeRange(request);
  return range ? ` ${range}` : "";
}

/**
 * Writes the CSV of one export to `sink`, streaming: it holds one page of views and two
 * windows of enriched rows at a time, whatever the number of views.
 */
export async function exportVisits(deps: ExportDeps, request: ExportRequest, sink: CsvSink, options: ExportRunOptions): Promise<ExportOutcome> {
  // The spreadsheet profile always starts with a BOM, so Excel reads the file as UTF-8.
  const writer = new CsvWriter(sink, request.profile === "spreadsheet" ? { ...options.csv, bom: true } : options.csv);
  const { outcome, analytics } = request.type === "document" ? await exportDocument(deps, request, writer, options) : await exportDataroom(deps, request, writer, options);
  await writer.flush();
  return { ...outcome, ...modeOf(analytics), rows: writer.rows - 1 };
}

/**
 * One row of a document export. `fieldIds` null leaves out Country, City and custom fields
 * (Papermark's Pro-plan rule).
 */
export function documentRow(
  view: ViewRow,
  document: DocumentRow,
  stats: ViewStats,
  ua: UserAgentRow | null,
  fieldIds: readonly string[] | null,
  format: CellFormat = cellFormat(),
): string[] {
  const version = versionInForce(document, view.viewedAt);
  const cells = [
    view.viewedAt,
    format.missing(view.viewerName),
    format.missing(view.viewerEmail),
    format.missing(view.linkName),
    durationSeconds(stats.durationMs),
    completion(stats.pagesViewed, version.numPages),
    format.missing(version.versionNumber),
    format.missing(view.downloadedAt),
    format.flag(view.verified, "No"),
    format.flag(view.agreementAccepted, "NaN"),
    format.missing(view.agreementName),
    format.missing(view.agreementContent),
    format.missing(view.agreementAcceptedAt),
    format.flag(view.dataroomId !== null, "No"),
    ...uaCells(ua, format),
  ];
  if (fieldIds) cells.push(format.missing(ua?.country), format.missing(ua?.city), ...format.customFields(view.customFields, fieldIds));
  return cells;
}

type Exported = { outcome: Omit<ExportOutcome, "rows" | "mode" | "modeReason">; analytics: ViewAnalytics };

async function exportDocument(deps: ExportDeps, request: ExportRequest, writer: CsvWriter, options: ExportRunOptions): Promise<Exported> {
  const { signal } = options;
  const { views } = deps;
  const team = await views.team(request.teamId, signal);
  const document = await views.document(request.teamId, request.resourceId, signal);
  const scope: DocumentScope = { teamId: request.teamId, documentId: document.id, range: { since: request.since, until: request.until } };
  const total = await views.countDocumentViews(scope, signal);
  if (total === 0) throw new AppError("NO_VIEWS", `document ${document.id} has no views to export${inRange(request)}`);
  const withGeo = !isProPlan(team.plan);
  const fieldIds = withGeo ? await views.documentCustomFieldIds(scope, signal) : [];
  const format = cellFormat(request.profile);
  const bounds = eventBounds(request);
  const { analytics, window: windowSize } = await prepareRun(deps, options);
  await options.onStart?.({ resourceName: document.name, total, ...modeOf(analytics) });

  await writer.writeRow([...DOCUMENT_COLUMNS, ...(withGeo ? [...DOCUMENT_GEO_COLUMNS, ...customFieldColumns(fieldIds.length)] : [])]);
  let done = 0;
  const enrich = async (window: ViewRow[]) => {
    signal?.throwIfAborted();
    const enriched = await analytics.statsWithUserAgents(
      window.map((v) => ({ id: v.id, documentId: document.id })),
      bounds,
      signal,
    );
    return { window, enriched };
  };
  for await (const { window, enriched } of lookAhead(windows(views.documentViews(scope, signal), windowSize), enrich, LOOK_AHEAD)) {
    for (const view of window) {
      const { userAgent, ...stats } = enriched.get(view.id)!;
      await writer.writeRow(documentRow(view, document, stats, userAgent, withGeo ? fieldIds : null, format));
    }
    done += window.length;
    options.onProgress?.(done, total);
  }
  return { outcome: { resourceName: document.name, total, warnings: [] }, analytics };
}

async function exportDataroom(deps: ExportDeps, request: ExportRequest, writer: CsvWriter, options: ExportRunOptions): Promise<Exported> {
  const { signal } = options;
  const { views } = deps;
  if (request.type === "dataroom-group" && !request.groupId) throw new AppError("BAD_INPUT", "a dataroom-group export needs a group id");
  const dataroom = await views.dataroom(request.teamId, request.resourceId, signal);
  const scope: DataroomScope = {
    teamId: request.teamId,
    dataroomId: dataroom.id,
    ...(request.type === "dataroom-group" ? { groupId: request.groupId } : {}),
    range: { since: request.since, until: request.until },
  };
  const format = cellFormat(request.profile);
  const bounds = eventBounds(request);
  const group = scope.groupId ? await views.group(dataroom.id, scope.groupId, signal) : null;
  const resourceName = group ? groupExportName(dataroom, group) : dataroom.name;
  const sessionCount = await views.countSessions(scope, signal);
  const documentViewCount = await views.countDocumentViewsOfSessions(scope, signal);
  if (sessionCount === 0 && documentViewCount.orphaned === 0) {
    throw new AppError("NO_VIEWS", `${group ? `group ${group.id} of ` : ""}dataroom ${dataroom.id} has no views to export${inRange(request)}`);
  }
  const warnings: string[] = [];
  if (documentViewCount.orphaned > 0) {
    warnings.push(`${documentViewCount.orphaned} document view(s) were left out because their dataroom visit is not part of this export`);
  }
  const total = sessionCount + documentViewCount.inSessions;
  const fieldIds = await views.sessionCustomFieldIds(scope, signal);
  const { analytics, window: windowSize } = await prepareRun(deps, options);
  await options.onStart?.({ resourceName, total, ...modeOf(analytics) });

  await writer.writeRow([...DATAROOM_COLUMNS, ...customFieldColumns(fieldIds.length)]);
  const documents = new Map<string, DocumentRow | undefined>();
  let done = 0;
  const enrich = async (window: ViewRow[]) => {
    signal?.throwIfAborted();
    const documentViews = await views.documentViewsOfSessions(scope, window.map((s) => s.id), signal);
    const unknown = [...new Set(documentViews.map((v) => v.documentId).filter((id): id is string => id !== null && !documents.has(id)))];
    if (unknown.length) {
      const found = await views.documents(unknown, signal);
      for (const id of unknown) documents.set(id, found.get(id));
    }
    const [stats, agents] = await Promise.all([
      analytics.stats(documentViews.map((v) => ({ id: v.id, documentId: v.documentId })), bounds, signal),
      // The session's user agent, from v3 only (no v2 fallback for dataroom visits).
      analytics.userAgents(
        window.map((s) => s.id),
        signal,
      ),
    ]);
    return { window, documentViews, stats, agents };
  };
  for await (const { window, documentViews, stats, agents } of lookAhead(windows(views.sessions(scope, signal), windowSize), enrich, LOOK_AHEAD)) {
    const bySession = new Map<string, ViewRow[]>();
    for (const view of documentViews) bySession.set(view.dataroomViewId!, [...(bySession.get(view.dataroomViewId!) ?? []), view]);
    for (const session of window) {
      const ua = agents.get(session.id) ?? null;
      const sessionCells = [
        session.viewedAt,
        format.missing(session.downloadedAt),
        format.missing(session.viewerName),
        format.missing(session.viewerEmail),
        format.missing(session.linkName),
        format.flag(session.verified, "NaN"),
        format.flag(session.agreementAccepted, "NaN"),
        format.missing(session.agreementName),
        format.missing(session.agreementContent),
        format.missing(session.agreementAcceptedAt),
      ];
      const trailing = [...uaCells(ua, format), format.missing(ua?.country), format.missing(ua?.city), ...format.customFields(session.customFields, fieldIds)];
      const inSession = bySession.get(session.id) ?? [];
      if (inSession.length === 0) {
        await writer.writeRow([...sessionCells, ...Array<string>(DATAROOM_DOCUMENT_COLUMN_COUNT).fill(format.missing(null)), ...trailing]);
      }
      for (const view of inSession) {
        const document = view.documentId ? documents.get(view.documentId) : undefined;
        const version = versionInForce(document ?? { numPages: null, versions: [] }, view.viewedAt);
        const { durationMs, pagesViewed } = stats.get(view.id)!;
        await writer.writeRow([
          ...sessionCells,
          format.missing(document?.name),
          view.viewedAt,
          format.missing(view.downloadedAt),
          durationSeconds(durationMs),
          completion(pagesViewed, version.numPages),
          format.missing(version.versionNumber),
          ...trailing,
        ]);
      }
      done += 1 + inSession.length;
    }
    options.onProgress?.(done, total);
  }
  return { outcome: { resourceName, total, warnings }, analytics };
}
