import type { DateRange } from "../../../shared/date-range";
import { AppError } from "../../../shared/errors";
import type { SqlClient } from "./sql-client";

/*
 * Read-only queries over Papermark's database. Timestamps leave the database as ISO-8601
 * UTC text with ms (to_char on the stored UTC value), so neither `pg` nor PGlite ever
 * interprets them in the machine's time zone. Views stream in keyset pages, newest first
 * (ties broken by id, newest-first order being Papermark's `orderBy: { viewedAt: "desc" }`).
 */

const iso = (column: string) => `to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** JavaScript truthiness of a jsonb value (Papermark tests `field.label` in JS). */
const JS_TRUTHY = (value: string) => `(CASE jsonb_typeof(${value})
  WHEN 'string' THEN (${value} #>> '{}') <> ''
  WHEN 'number' THEN (${value} #>> '{}')::numeric <> 0
  WHEN 'boolean' THEN (${value} #>> '{}')::boolean
  WHEN 'object' THEN true WHEN 'array' THEN true ELSE false END)`;

/**
 * The parameters of one statement. `add` returns the placeholder of a value, so values only
 * ever reach the database as $n parameters, never as SQL text.
 */
class SqlParams {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** A condition on the "View" row named `view` (an alias such as v or s), adding its values to `params`. */
type ViewCondition = (view: string, params: SqlParams) => string;

/**
 * Views in the team's pause window are left out of every export. Papermark's rule: both
 * bounds set, both inclusive (a window with an open end excludes nothing).
 */
const notPaused =
  (teamId: string): ViewCondition =>
  (view, params) => `NOT EXISTS (
  SELECT 1 FROM "Team" t WHERE t."id" = ${params.add(teamId)} AND t."pauseStartsAt" IS NOT NULL AND t."pauseEndsAt" IS NOT NULL
    AND ${view}."viewedAt" >= t."pauseStartsAt" AND ${view}."viewedAt" <= t."pauseEndsAt")`;

/**
 * The date range on viewedAt ("true" without one). viewedAt is a UTC timestamp without time
 * zone and the bounds are dates, so the comparison never involves a time zone.
 */
const inRange =
  (range: DateRange | undefined): ViewCondition =>
  (view, params) => {
    const conditions = ["true"];
    if (range?.since) conditions.push(`${view}."viewedAt" >= ${params.add(range.since)}::date`);
    if (range?.until) conditions.push(`${view}."viewedAt" < ${params.add(range.until)}::date + 1`);
    return conditions.join(" AND ");
  };

/** All of the conditions. */
const allOf =
  (...conditions: ViewCondition[]): ViewCondition =>
  (view, params) =>
    conditions.map((condition) => `(${condition(view, params)})`).join(" AND ");

const VIEW_COLUMNS = `
  v."id", ${iso('v."viewedAt"')} AS "viewedAt", v."viewedAt"::text AS "cursor",
  ${iso('v."downloadedAt"')} AS "downloadedAt", v."viewerName", v."viewerEmail", v."verified",
  v."documentId", v."dataroomId", v."dataroomViewId", l."name" AS "linkName",
  a."name" AS "agreementName", a."content" AS "agreementContent", ${iso('ar."createdAt"')} AS "agreementAcceptedAt",
  (ar."id" IS NOT NULL) AS "agreementAccepted", cfr."data" AS "customFields"`;

const VIEW_JOINS = `
  LEFT JOIN "Link" l ON l."id" = v."linkId"
  LEFT JOIN "AgreementResponse" ar ON ar."viewId" = v."id"
  LEFT JOIN "Agreement" a ON a."id" = ar."agreementId"
  LEFT JOIN "CustomFieldResponse" cfr ON cfr."viewId" = v."id"`;

export interface ViewRow {
  id: string;
  viewedAt: string;
  /** Full-precision timestamp for keyset paging. */
  cursor: string;
  downloadedAt: string | null;
  viewerName: string | null;
  viewerEmail: string | null;
  verified: boolean;
  documentId: string | null;
  dataroomId: string | null;
  dataroomViewId: string | null;
  linkName: string | null;
  agreementAccepted: boolean;
  agreementName: string | null;
  agreementContent: string | null;
  agreementAcceptedAt: string | null;
  customFields: unknown;
}

export interface TeamRow {
  id: string;
  plan: string;
}

export interface DocumentVersionRow {
  versionNumber: number;
  numPages: number | null;
  createdAt: string;
}

export interface DocumentRow {
  id: string;
  name: string;
  numPages: number | null;
  /** Newest first. */
  versions: DocumentVersionRow[];
}

export interface DataroomRow {
  id: string;
  name: string;
}

/** How a dataroom group export is named: "<dataroom> - <group>". */
export function groupExportName(dataroom: DataroomRow, group: DataroomRow): string {
  return `${dataroom.name} - ${group.name}`;
}

/** Which views of a document an export covers. */
export interface DocumentScope {
  teamId: string;
  documentId: string;
  range?: DateRange;
}

/** Which views of a dataroom an export covers. */
export interface DataroomScope {
  teamId: string;
  dataroomId: string;
  groupId?: string;
  /** Applies to the dataroom visits (sessions); their document views go with them. */
  range?: DateRange;
}

export class ViewsSource {
  constructor(
    private readonly sql: SqlClient,
    private readonly pageSize = 1000,
  ) {}

  async team(teamId: string, signal?: AbortSignal): Promise<TeamRow> {
    const [team] = await this.sql.query<TeamRow>(`SELECT "id", "plan" FROM "Team" WHERE "id" = $1`, [teamId], signal);
    if (!team) throw new AppError("NOT_FOUND", `team ${teamId} not found`);
    return team;
  }

  async document(teamId: string, documentId: string, signal?: AbortSignal): Promise<DocumentRow> {
    const [document] = await this.sql.query<Omit<DocumentRow, "versions">>(
      `SELECT "id", "name", "numPages" FROM "Document" WHERE "id" = $1 AND "teamId" = $2`,
      [documentId, teamId],
      signal,
    );
    if (!document) throw new AppError("NOT_FOUND", `document ${documentId} not found in team ${teamId}`);
    const versions = await this.versionsOf([documentId], signal);
    return { ...document, versions: versions.get(documentId) ?? [] };
  }

  /** Documents by id with their versions (newest first); unknown ids are absent. */
  async documents(ids: readonly string[], signal?: AbortSignal): Promise<Map<string, DocumentRow>> {
    const out = new Map<string, DocumentRow>();
    if (ids.length === 0) return out;
    const rows = await this.sql.query<Omit<DocumentRow, "versions">>(
      `SELECT "id", "name", "numPages" FROM "Document" WHERE "id" = ANY($1::text[])`,
      [ids],
      signal,
    );
    const versions = await this.versionsOf(ids, signal);
    for (const row of rows) out.set(row.id, { ...row, versions: versions.get(row.id) ?? [] });
    return out;
  }

  private async versionsOf(ids: readonly string[], signal?: AbortSignal): Promise<Map<string, DocumentVersionRow[]>> {
    const rows = await this.sql.query<DocumentVersionRow & { documentId: string }>(
      `SELECT "documentId", "versionNumber", "numPages", ${iso('"createdAt"')} AS "createdAt"
         FROM "DocumentVersion" WHERE "documentId" = ANY($1::text[])
        ORDER BY "createdAt" DESC, "versionNumber" DESC`,
      [ids],
      signal,
    );
    const out = new Map<string, DocumentVersionRow[]>();
    for (const { documentId, ...version } of rows) out.set(documentId, [...(out.get(documentId) ?? []), version]);
    return out;
  }

  async dataroom(teamId: string, dataroomId: string, signal?: AbortSignal): Promise<DataroomRow> {
    const [dataroom] = await this.sql.query<DataroomRow>(
      `SELECT "id", "name" FROM "Dataroom" WHERE "id" = $1 AND "teamId" = $2`,
      [dataroomId, teamId],
      signal,
    );
    if (!dataroom) throw new AppError("NOT_FOUND", `dataroom ${dataroomId} not found in team ${teamId}`);
    return dataroom;
  }

  async group(dataroomId: string, groupId: string, signal?: AbortSignal): Promise<DataroomRow> {
    const [group] = await this.sql.query<DataroomRow>(
      `SELECT "id", "name" FROM "ViewerGroup" WHERE "id" = $1 AND "dataroomId" = $2`,
      [groupId, dataroomId],
      signal,
    );
    if (!group) throw new AppError("NOT_FOUND", `group ${groupId} not found in dataroom ${dataroomId}`);
    return group;
  }

  // --- document exports: every view of the document (also those inside datarooms, and archived ones)

  private documentViewsIn(scope: DocumentScope): ViewCondition {
    return allOf((view, params) => `${view}."documentId" = ${params.add(scope.documentId)}`, inRange(scope.range), notPaused(scope.teamId));
  }

  countDocumentViews(scope: DocumentScope, signal?: AbortSignal): Promise<number> {
    return this.count(this.documentViewsIn(scope), signal);
  }

  documentViews(scope: DocumentScope, signal?: AbortSignal): AsyncGenerator<ViewRow[]> {
    return this.pages(this.documentViewsIn(scope), signal);
  }

  documentCustomFieldIds(scope: DocumentScope, signal?: AbortSignal): Promise<string[]> {
    return this.customFieldIds(this.documentViewsIn(scope), signal);
  }

  // --- dataroom exports: sessions (DATAROOM_VIEW) and the document views inside them

  /** Views of one type in the scope's dataroom (and group), outside the pause window. */
  private dataroomViewsIn(scope: DataroomScope, viewType: "DATAROOM_VIEW" | "DOCUMENT_VIEW"): ViewCondition {
    return allOf(
      (view, params) => `${view}."dataroomId" = ${params.add(scope.dataroomId)} AND ${view}."viewType" = ${params.add(viewType)}`,
      (view, params) => (scope.groupId ? `${view}."groupId" = ${params.add(scope.groupId)}` : "true"),
      notPaused(scope.teamId),
    );
  }

  private sessionsIn(scope: DataroomScope): ViewCondition {
    return allOf(this.dataroomViewsIn(scope, "DATAROOM_VIEW"), inRange(scope.range));
  }

  /**
   * The document views of the scope (same dataroom, group and pause rules as sessions). The
   * date range is not applied: a document view goes with its session.
   */
  private documentViewsOfSessionsIn(scope: DataroomScope): ViewCondition {
    return this.dataroomViewsIn(scope, "DOCUMENT_VIEW");
  }

  countSessions(scope: DataroomScope, signal?: AbortSignal): Promise<number> {
    return this.count(this.sessionsIn(scope), signal);
  }

  sessions(scope: DataroomScope, signal?: AbortSignal): AsyncGenerator<ViewRow[]> {
    return this.pages(this.sessionsIn(scope), signal);
  }

  sessionCustomFieldIds(scope: DataroomScope, signal?: AbortSignal): Promise<string[]> {
    return this.customFieldIds(this.sessionsIn(scope), signal);
  }

  /**
   * Document views of the scope, counted by whether their session is exported. Those left
   * out are counted when they fall in the date range themselves (the others were not asked for).
   */
  async countDocumentViewsOfSessions(scope: DataroomScope, signal?: AbortSignal): Promise<{ inSessions: number; orphaned: number }> {
    const params = new SqlParams();
    const session = this.sessionsIn(scope)("s", params);
    const requested = inRange(scope.range)("v", params);
    const where = this.documentViewsOfSessionsIn(scope)("v", params);
    const [row] = await this.sql.query<{ inSessions: string | number; orphaned: string | number }>(
      `SELECT count(*) FILTER (WHERE has_session) AS "inSessions", count(*) FILTER (WHERE NOT has_session AND in_range) AS "orphaned"
         FROM (SELECT EXISTS (SELECT 1 FROM "View" s WHERE s."id" = v."dataroomViewId" AND ${session}) AS has_session,
                 (${requested}) AS in_range
                 FROM "View" v WHERE ${where}) counted`,
      params.values,
      signal,
    );
    return { inSessions: Number(row?.inSessions ?? 0), orphaned: Number(row?.orphaned ?? 0) };
  }

  /** Document views of the given sessions, newest first. */
  async documentViewsOfSessions(scope: DataroomScope, sessionIds: readonly string[], signal?: AbortSignal): Promise<ViewRow[]> {
    if (sessionIds.length === 0) return [];
    const params = new SqlParams();
    const where = this.documentViewsOfSessionsIn(scope)("v", params);
    return this.sql.query<ViewRow>(
      `SELECT ${VIEW_COLUMNS} FROM "View" v ${VIEW_JOINS}
        WHERE ${where} AND v."dataroomViewId" = ANY(${params.add(sessionIds)}::text[])
        ORDER BY v."viewedAt" DESC, v."id" DESC`,
      params.values,
      signal,
    );
  }

  private async count(condition: ViewCondition, signal?: AbortSignal): Promise<number> {
    const params = new SqlParams();
    const [row] = await this.sql.query<{ count: string | number }>(`SELECT count(*) AS "count" FROM "View" v WHERE ${condition("v", params)}`, params.values, signal);
    return Number(row?.count ?? 0);
  }

  /** Keyset pages of the views matching `condition`, newest first. */
  private async *pages(condition: ViewCondition, signal?: AbortSignal): AsyncGenerator<ViewRow[]> {
    let after: { cursor: string; id: string } | null = null;
    for (;;) {
      const params = new SqlParams();
      const where = condition("v", params);
      const keyset = after ? `AND (v."viewedAt", v."id") < (${params.add(after.cursor)}::timestamp, ${params.add(after.id)})` : "";
      const rows: ViewRow[] = await this.sql.query<ViewRow>(
        `SELECT ${VIEW_COLUMNS} FROM "View" v ${VIEW_JOINS}
          WHERE ${where} ${keyset}
          ORDER BY v."viewedAt" DESC, v."id" DESC LIMIT ${params.add(this.pageSize)}`,
        params.values,
        signal,
      );
      if (rows.length > 0) yield rows;
      if (rows.length < this.pageSize) return;
      const last: ViewRow = rows[rows.length - 1]!;
      after = { cursor: last.cursor, id: last.id };
    }
  }

  /**
   * Identifiers of the custom fields over the views matching `where`: those with a non-empty
   * identifier and label (Papermark's rule), sorted with localeCompare as Papermark does.
   */
  private async customFieldIds(condition: ViewCondition, signal?: AbortSignal): Promise<string[]> {
    const params = new SqlParams();
    const where = condition("v", params);
    const rows = await this.sql.query<{ identifier: string }>(
      `SELECT DISTINCT f.elem->>'identifier' AS "identifier"
         FROM "View" v JOIN "CustomFieldResponse" cfr ON cfr."viewId" = v."id",
              jsonb_array_elements(CASE WHEN jsonb_typeof(cfr."data") = 'array' THEN cfr."data" ELSE '[]'::jsonb END) AS f(elem)
        WHERE ${where} AND jsonb_typeof(f.elem) = 'object'
          AND jsonb_typeof(f.elem->'identifier') = 'string' AND f.elem->>'identifier' <> ''
          AND ${JS_TRUTHY("f.elem->'label'")}`,
      params.values,
      signal,
    );
    return rows.map((r) => r.identifier).sort((a, b) => a.localeCompare(b));
  }
}
