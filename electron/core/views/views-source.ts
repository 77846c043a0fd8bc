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
 * Views in the team's pause window are left out of every export. Papermark's rule: both
 * bounds set, both inclusive (a window with an open end excludes nothing).
 */
const NOT_PAUSED = `NOT EXISTS (
  SELECT 1 FROM "Team" t WHERE t."id" = $1 AND t."pauseStartsAt" IS NOT NULL AND t."pauseEndsAt" IS NOT NULL
    AND v."viewedAt" >= t."pauseStartsAt" AND v."viewedAt" <= t."pauseEndsAt")`;

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

/**
 * The date range as SQL on `v."viewedAt"`, with its parameters appended to `params`.
 * viewedAt is a UTC timestamp without time zone and the bounds are dates, so the
 * comparison never involves the session's or the machine's time zone.
 */
function rangeFilter(range: DateRange | undefined, params: unknown[]): string {
  let sql = "";
  if (range?.since) {
    params.push(range.since);
    sql += ` AND v."viewedAt" >= $${params.length}::date`;
  }
  if (range?.until) {
    params.push(range.until);
    sql += ` AND v."viewedAt" < $${params.length}::date + 1`;
  }
  return sql;
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

  private documentFilter(scope: DocumentScope): { where: string; params: unknown[] } {
    const params: unknown[] = [scope.teamId, scope.documentId];
    return { where: `v."documentId" = $2${rangeFilter(scope.range, params)}`, params };
  }

  async countDocumentViews(scope: DocumentScope, signal?: AbortSignal): Promise<number> {
    const { where, params } = this.documentFilter(scope);
    const [row] = await this.sql.query<{ count: string | number }>(`SELECT count(*) AS "count" FROM "View" v WHERE ${where} AND ${NOT_PAUSED}`, params, signal);
    return Number(row?.count ?? 0);
  }

  documentViews(scope: DocumentScope, signal?: AbortSignal): AsyncGenerator<ViewRow[]> {
    const { where, params } = this.documentFilter(scope);
    return this.pages(where, params, signal);
  }

  documentCustomFieldIds(scope: DocumentScope, signal?: AbortSignal): Promise<string[]> {
    const { where, params } = this.documentFilter(scope);
    return this.customFieldIds(where, params, signal);
  }

  // --- dataroom exports: sessions (DATAROOM_VIEW) and the document views inside them

  private sessionFilter(scope: DataroomScope): { where: string; params: unknown[] } {
    const { where, params } = this.dataroomFilter(scope, "DATAROOM_VIEW");
    return { where: where + rangeFilter(scope.range, params), params };
  }

  private dataroomFilter(scope: DataroomScope, viewType: "DATAROOM_VIEW" | "DOCUMENT_VIEW"): { where: string; params: unknown[] } {
    const params: unknown[] = [scope.teamId, scope.dataroomId];
    let where = `v."dataroomId" = $2 AND v."viewType" = '${viewType}'`;
    if (scope.groupId) {
      params.push(scope.groupId);
      where += ` AND v."groupId" = $3`;
    }
    return { where, params };
  }

  async countSessions(scope: DataroomScope, signal?: AbortSignal): Promise<number> {
    const { where, params } = this.sessionFilter(scope);
    const [row] = await this.sql.query<{ count: string | number }>(
      `SELECT count(*) AS "count" FROM "View" v WHERE ${where} AND ${NOT_PAUSED}`,
      params,
      signal,
    );
    return Number(row?.count ?? 0);
  }

  sessions(scope: DataroomScope, signal?: AbortSignal): AsyncGenerator<ViewRow[]> {
    const { where, params } = this.sessionFilter(scope);
    return this.pages(where, params, signal);
  }

  sessionCustomFieldIds(scope: DataroomScope, signal?: AbortSignal): Promise<string[]> {
    const { where, params } = this.sessionFilter(scope);
    return this.customFieldIds(where, params, signal);
  }

  /**
   * The document views of the scope (same dataroom, group and pause rules as sessions). The
   * date range is not applied: a document view goes with its session.
   */
  private documentViewFilter(scope: DataroomScope): { where: string; params: unknown[] } {
    return this.dataroomFilter(scope, "DOCUMENT_VIEW");
  }

  /**
   * Document views of the scope, counted by whether their session is exported. Those left
   * out are counted when they fall in the date range themselves (the others were not asked for).
   */
  async countDocumentViewsOfSessions(scope: DataroomScope, signal?: AbortSignal): Promise<{ inSessions: number; orphaned: number }> {
    const { where, params } = this.documentViewFilter(scope);
    const session = this.sessionFilter(scope);
    const inRange = rangeFilter(scope.range, params);
    // The session filter's parameters are the document filter's plus the range, in the same order.
    const sessionWhere = session.where.replace(/v\./g, "s.");
    const [row] = await this.sql.query<{ inSessions: string | number; orphaned: string | number }>(
      `SELECT count(*) FILTER (WHERE has_session) AS "inSessions", count(*) FILTER (WHERE NOT has_session AND in_range) AS "orphaned"
         FROM (SELECT EXISTS (SELECT 1 FROM "View" s WHERE s."id" = v."dataroomViewId" AND ${sessionWhere}
                 AND ${NOT_PAUSED.replace(/v\."viewedAt"/g, 's."viewedAt"')}) AS has_session,
                 (true${inRange}) AS in_range
                 FROM "View" v WHERE ${where} AND ${NOT_PAUSED}) counted`,
      params,
      signal,
    );
    return { inSessions: Number(row?.inSessions ?? 0), orphaned: Number(row?.orphaned ?? 0) };
  }

  /** Document views of the given sessions, newest first. */
  async documentViewsOfSessions(scope: DataroomScope, sessionIds: readonly string[], signal?: AbortSignal): Promise<ViewRow[]> {
    if (sessionIds.length === 0) return [];
    const { where, params } = this.documentViewFilter(scope);
    const n = params.length + 1;
    return this.sql.query<ViewRow>(
      `SELECT ${VIEW_COLUMNS} FROM "View" v ${VIEW_JOINS}
        WHERE ${where} AND v."dataroomViewId" = ANY($${n}::text[]) AND ${NOT_PAUSED}
        ORDER BY v."viewedAt" DESC, v."id" DESC`,
      [...params, sessionIds],
      signal,
    );
  }

  /** Keyset pages of views matching `where`, newest first. */
  private async *pages(where: string, params: unknown[], signal?: AbortSignal): AsyncGenerator<ViewRow[]> {
    let after: { cursor: string; id: string } | null = null;
    const n = params.length;
    for (;;) {
      const keyset = after ? `AND (v."viewedAt", v."id") < ($${n + 1}::timestamp, $${n + 2})` : "";
      const rows: ViewRow[] = await this.sql.query<ViewRow>(
        `SELECT ${VIEW_COLUMNS} FROM "View" v ${VIEW_JOINS}
          WHERE ${where} AND ${NOT_PAUSED} ${keyset}
          ORDER BY v."viewedAt" DESC, v."id" DESC LIMIT ${this.pageSize}`,
        after ? [...params, after.cursor, after.id] : params,
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
  private async customFieldIds(where: string, params: unknown[], signal?: AbortSignal): Promise<string[]> {
    const rows = await this.sql.query<{ identifier: string }>(
      `SELECT DISTINCT f.elem->>'identifier' AS "identifier"
         FROM "View" v JOIN "CustomFieldResponse" cfr ON cfr."viewId" = v."id",
              jsonb_array_elements(CASE WHEN jsonb_typeof(cfr."data") = 'array' THEN cfr."data" ELSE '[]'::jsonb END) AS f(elem)
        WHERE ${where} AND ${NOT_PAUSED} AND jsonb_typeof(f.elem) = 'object'
          AND jsonb_typeof(f.elem->'identifier') = 'string' AND f.elem->>'identifier' <> ''
          AND ${JS_TRUTHY("f.elem->'label'")}`,
      params,
      signal,
    );
    return rows.map((r) => r.identifier).sort((a, b) => a.localeCompare(b));
  }
}
