import { AppError, ERROR_CODES, type ErrorCode } from "./errors";
import type { JobType } from "./job";

/**
 * The REST API's routes, written once: the headless server serves them, the browser's HTTP
 * transport calls them, the tests request them. A `:name` segment is a parameter.
 */

export type HttpMethod = "GET" | "POST" | "DELETE";

export interface ApiRoute<P extends string = string> {
  readonly method: HttpMethod;
  readonly path: P;
  /** A fixed query that selects this answer on a path and method another route shares. */
  readonly query?: Readonly<Record<string, string>>;
}

/** Everything under this prefix is the API; the server serves the renderer's files elsewhere. */
export const API_PREFIX = "/api";

export const routes = {
  createDocumentExport: { method: "POST", path: "/api/teams/:teamId/documents/:resourceId/export-visits" },
  createDataroomExport: { method: "POST", path: "/api/teams/:teamId/datarooms/:resourceId/export-visits" },
  createGroupExport: { method: "POST", path: "/api/teams/:teamId/datarooms/:resourceId/groups/:groupId/export-visits" },
  listJobs: { method: "GET", path: "/api/teams/:teamId/export-jobs" },
  getJob: { method: "GET", path: "/api/teams/:teamId/export-jobs/:exportId" },
  /** getJob's path and method; the query asks for the CSV instead of the job. */
  downloadResult: { method: "GET", path: "/api/teams/:teamId/export-jobs/:exportId", query: { download: "true" } },
  deleteJob: { method: "DELETE", path: "/api/teams/:teamId/export-jobs/:exportId" },
  cancelJob: { method: "POST", path: "/api/teams/:teamId/export-jobs/:exportId/cancel" },
  retryJob: { method: "POST", path: "/api/teams/:teamId/export-jobs/:exportId/retry" },
  listAudit: { method: "GET", path: "/api/teams/:teamId/audit" },
  findResources: { method: "GET", path: "/api/teams/:teamId/resources" },
  findTeams: { method: "GET", path: "/api/teams" },
  me: { method: "GET", path: "/api/me" },
  getConnectionStatus: { method: "GET", path: "/api/status" },
  getSettings: { method: "GET", path: "/api/settings" },
  /** Server-sent events of the caller's teams' job changes. */
  events: { method: "GET", path: "/api/events" },
} as const satisfies Record<string, ApiRoute>;

export type RouteName = keyof typeof routes;

/** The create route of each export type. */
export const CREATE_EXPORT_ROUTES = {
  document: routes.createDocumentExport,
  dataroom: routes.createDataroomExport,
  "dataroom-group": routes.createGroupExport,
} as const satisfies Record<JobType, ApiRoute>;

type ParamNames<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | ParamNames<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? Name
    : never;

/** The values of a route's `:name` segments. */
export type RouteParams<P extends string> = { readonly [Name in ParamNames<P>]: string };

/** Query values: unset (undefined) and empty ones are left out. */
export type RouteQuery = Readonly<Record<string, string | number | undefined>>;

/**
 * A route's path with its parameters filled in (each percent-encoded, so an id never adds a
 * segment) and `query`, then its fixed query (which a caller's query cannot override), appended.
 */
export function routePath<P extends string>(route: ApiRoute<P>, params: RouteParams<P>, query: RouteQuery = {}): string {
  const values = params as Readonly<Record<string, string | undefined>>;
  const path = route.path
    .split("/")
    .map((segment) => {
      if (!segment.startsWith(":")) return segment;
      const value = values[segment.slice(1)];
      if (!value) throw new AppError("BAD_INPUT", `${route.method} ${route.path} needs ${segment.slice(1)}`);
      return encodeURIComponent(value);
    })
    .join("/");
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...query, ...route.query })) if (value !== undefined && value !== "") search.set(name, String(value));
  return search.size > 0 ? `${path}?${search}` : path;
}

/**
 * The route's parameters in `pathname` (as sent: still percent-encoded), or null when the
 * path is not this route's. A parameter matches one non-empty segment.
 */
export function matchRoutePath(route: ApiRoute, pathname: string): Record<string, string> | null {
  const expected = route.path.split("/");
  const actual = pathname.split("/");
  if (actual.length !== expected.length) return null;
  const params: Record<string, string> = {};
  for (const [i, segment] of expected.entries()) {
    const value = actual[i]!;
    if (segment.startsWith(":")) {
      if (value === "") return null;
      params[segment.slice(1)] = value;
    } else if (value !== segment) {
      return null;
    }
  }
  return params;
}

/** The HTTP status the server answers each error code with. */
export const HTTP_STATUS_OF_ERROR = {
  BAD_INPUT: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  FOREIGN_RECORD: 409,
  RESULT_ELSEWHERE: 409,
  CANCELLED: 409,
  NO_VIEWS: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  MALFORMED_RECORD: 500,
  TINYBIRD_AUTH: 502,
  RETRIES_EXHAUSTED: 502,
  UNAVAILABLE: 503,
  TIMEOUT: 504,
} as const satisfies Record<ErrorCode, number>;

/** A known path asked with a method it does not serve (the body says BAD_INPUT). */
export const METHOD_NOT_ALLOWED_STATUS = 405;

/**
 * What an error answer means when its body carries no error code (a proxy's error page):
 * the one code the server sends with that status; 409, which several conflicts share, is a
 * CONFLICT; 405 is BAD_INPUT; any other status (500 and 502 included) is INTERNAL.
 */
export function errorCodeOfStatus(status: number): ErrorCode {
  if (status === METHOD_NOT_ALLOWED_STATUS) return "BAD_INPUT";
  if (status === HTTP_STATUS_OF_ERROR.CONFLICT) return "CONFLICT";
  const codes = ERROR_CODES.filter((code) => HTTP_STATUS_OF_ERROR[code] === status);
  return codes.length === 1 ? codes[0]! : "INTERNAL";
}
