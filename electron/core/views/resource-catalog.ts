import { AppError } from "../../../shared/errors";
import type { JobType } from "../../../shared/job";
import { parseInput } from "../../../shared/parse-input";
import {
  resourceQuerySchema,
  teamQuerySchema,
  type ResourcePage,
  type ResourceQuery,
  type TeamPage,
  type TeamQuery,
} from "../../../shared/resources";
import type { SqlClient } from "./sql-client";
import { groupExportName, ViewsSource } from "./views-source";

/** A LIKE pattern matching `q` anywhere, its wildcards taken literally. */
const contains = (q: string) => `%${q.replace(/[\\%_]/g, "\\$&")}%`;

/**
 * Each searchable kind: its table, the rows in scope ($1 = team or dataroom) and how its
 * views are counted. Every lookup is by an indexed column ("teamId", "dataroomId", and the
 * View indexes on "documentId", "dataroomId" and "groupId"); the name match only narrows
 * a team's rows.
 */
const KINDS = {
  document: { table: `"Document"`, scope: `"teamId" = $1`, views: `SELECT count(*) FROM "View" v WHERE v."documentId" = page."id"` },
  dataroom: {
    table: `"Dataroom"`,
    scope: `"teamId" = $1`,
    views: `SELECT count(*) FROM "View" v WHERE v."dataroomId" = page."id" AND v."viewType" = 'DATAROOM_VIEW'`,
  },
  group: {
    table: `"ViewerGroup"`,
    scope: `"dataroomId" = $1`,
    views: `SELECT count(*) FROM "View" v WHERE v."groupId" = page."id" AND v."viewType" = 'DATAROOM_VIEW'`,
  },
} as const;


/**
 * What support staff pick an export from: a team's documents, datarooms and a dataroom's
 * groups (and teams), by name or id, with view counts; and the check at create that the
 * resource exists in the team. Read-only, paged, on Papermark's database.
 */
export class ResourceCatalog {
  private readonly views: ViewsSource;

  constructor(private readonly sql: SqlClient) {
    this.views = new ViewsSource(sql);
  }

  async search(input: ResourceQuery, signal?: AbortSignal): Promise<ResourcePage> {
    const query = parseInput(resourceQuerySchema, input, "search");
    // A group search is within a dataroom of the team: another team's dataroom is not found.
    const scopeId = query.type === "group" ? (await this.views.dataroom(query.teamId, query.dataroomId!, signal)).id : query.teamId;
    const kind = KINDS[query.type];
    const params: unknown[] = [scopeId];
    let where = kind.scope;
    if (query.q) {
      params.push(query.q, contains(query.q));
      where += ` AND ("id" = $2 OR "name" ILIKE $3 ESCAPE '\\')`;
    }
    const [counted] = await this.sql.query<{ total: string | number }>(`SELECT count(*) AS "total" FROM ${kind.table} WHERE ${where}`, params, signal);
    const n = params.length;
    // Views are counted for the page's rows only.
    const rows = await this.sql.query<{ id: string; name: string; views: string | number }>(
      `SELECT page."id", page."name", (${kind.views}) AS "views"
         FROM (SELECT "id", "name" FROM ${kind.table} WHERE ${where} ORDER BY lower("name"), "id" LIMIT $${n + 1} OFFSET $${n + 2}) page
        ORDER BY lower(page."name"), page."id"`,
      [...params, query.limit, query.offset],
      signal,
    );
    return { resources: rows.map((row) => ({ id: row.id, name: row.name, views: Number(row.views) })), total: Number(counted?.total ?? 0) };
  }

  /** Teams by name or id; `teamIds` (a caller's teams) limits them, null = every team. */
  async teams(input: TeamQuery, teamIds: readonly string[] | null, signal?: AbortSignal): Promise<TeamPage> {
    const query = parseInput(teamQuerySchema, input, "search");
    const params: unknown[] = [teamIds === null ? null : [...teamIds]];
    let where = `($1::text[] IS NULL OR "id" = ANY($1::text[]))`;
    if (query.q) {
      params.push(query.q, contains(query.q));
      where += ` AND ("id" = $2 OR "name" ILIKE $3 ESCAPE '\\')`;
    }
    const [counted] = await this.sql.query<{ total: string | number }>(`SELECT count(*) AS "total" FROM "Team" WHERE ${where}`, params, signal);
    const n = params.length;
    const teams = await this.sql.query<{ id: string; name: string }>(
      `SELECT "id", "name" FROM "Team" WHERE ${where} ORDER BY lower("name"), "id" LIMIT $${n + 1} OFFSET $${n + 2}`,
      [...params, query.limit, query.offset],
      signal,
    );
    return { teams, total: Number(counted?.total ?? 0) };
  }

  /**
   * The name of the resource an export asks for; NOT_FOUND (saying what) when it does not
   * exist or belongs to another team, or when the group is not the dataroom's.
   */
  async resolve(request: { type: JobType; teamId: string; resourceId: string; groupId?: string }, signal?: AbortSignal): Promise<string> {
    if (request.type === "document") return (await this.views.document(request.teamId, request.resourceId, signal)).name;
    const dataroom = await this.views.dataroom(request.teamId, request.resourceId, signal);
    if (request.type === "dataroom") return dataroom.name;
    if (!request.groupId) throw new AppError("BAD_INPUT", "a dataroom-group export needs a group id");
    const group = await this.views.group(dataroom.id, request.groupId, signal);
    return groupExportName(dataroom, group);
  }
}
