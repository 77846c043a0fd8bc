import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ERROR_CODES } from "../../shared/errors";
import {
  API_PREFIX,
  CREATE_EXPORT_ROUTES,
  errorCodeOfStatus,
  HTTP_STATUS_OF_ERROR,
  matchRoutePath,
  routePath,
  routes,
  type ApiRoute,
} from "../../shared/routes";

/** A route as the README's REST table writes it: method, path and fixed query. */
const documented = (route: ApiRoute) => `${route.method} ${route.path}${route.query ? `?${new URLSearchParams(route.query)}` : ""}`;

describe("the REST routes", () => {
  // Clients outside this repository call these paths: a rename must be deliberate.
  it("are the public paths, spelled out", () => {
    expect(Object.fromEntries(Object.entries(routes).map(([name, route]) => [name, documented(route)]))).toEqual({
      createDocumentExport: "POST /api/teams/:teamId/documents/:resourceId/export-visits",
      createDataroomExport: "POST /api/teams/:teamId/datarooms/:resourceId/export-visits",
      createGroupExport: "POST /api/teams/:teamId/datarooms/:resourceId/groups/:groupId/export-visits",
      listJobs: "GET /api/teams/:teamId/export-jobs",
      getJob: "GET /api/teams/:teamId/export-jobs/:exportId",
      downloadResult: "GET /api/teams/:teamId/export-jobs/:exportId?download=true",
      deleteJob: "DELETE /api/teams/:teamId/export-jobs/:exportId",
      cancelJob: "POST /api/teams/:teamId/export-jobs/:exportId/cancel",
      retryJob: "POST /api/teams/:teamId/export-jobs/:exportId/retry",
      listAudit: "GET /api/teams/:teamId/audit",
      findResources: "GET /api/teams/:teamId/resources",
      findTeams: "GET /api/teams",
      me: "GET /api/me",
      getConnectionStatus: "GET /api/status",
      getSettings: "GET /api/settings",
      events: "GET /api/events",
    });
    expect(CREATE_EXPORT_ROUTES).toEqual({ document: routes.createDocumentExport, dataroom: routes.createDataroomExport, "dataroom-group": routes.createGroupExport });
    for (const route of Object.values(routes)) expect(route.path.startsWith(`${API_PREFIX}/`)).toBe(true);
  });

  it("are each documented in the README's REST table", () => {
    const readme = readFileSync("README.md", "utf8");
    const table = readme.slice(readme.indexOf("## REST API"), readme.indexOf("\n## ", readme.indexOf("## REST API") + 1));
    for (const route of Object.values(routes)) {
      // `GET /api/teams` must not count as documented because `GET /api/teams/:teamId/…` is.
      expect(["`", "?"].some((next) => table.includes(`\`${documented(route)}${next}`)), documented(route)).toBe(true);
    }
  });
});

describe("routePath", () => {
  it("fills in the parameters, each percent-encoded, so an id never adds a segment", () => {
    expect(routePath(routes.getJob, { teamId: "t1", exportId: "e1" })).toBe("/api/teams/t1/export-jobs/e1");
    expect(routePath(routes.cancelJob, { teamId: "a/b", exportId: "x y?#%" })).toBe("/api/teams/a%2Fb/export-jobs/x%20y%3F%23%25/cancel");
    expect(routePath(routes.createGroupExport, { teamId: "t1", resourceId: "dr1", groupId: "g1" })).toBe("/api/teams/t1/datarooms/dr1/groups/g1/export-visits");
    expect(routePath(routes.me, {})).toBe("/api/me");
  });

  it("appends the route's fixed query, then the set values of the given one", () => {
    expect(routePath(routes.downloadResult, { teamId: "t1", exportId: "e1" })).toBe("/api/teams/t1/export-jobs/e1?download=true");
    // A caller's query cannot turn the download into the job's JSON.
    expect(routePath(routes.downloadResult, { teamId: "t1", exportId: "e1" }, { download: "false" })).toBe("/api/teams/t1/export-jobs/e1?download=true");
    expect(routePath(routes.listJobs, { teamId: "t1" }, { status: "FAILED", type: undefined, search: "", offset: 0, limit: 50 })).toBe(
      "/api/teams/t1/export-jobs?status=FAILED&offset=0&limit=50",
    );
    expect(routePath(routes.findTeams, {}, { q: "a&b=c" })).toBe("/api/teams?q=a%26b%3Dc");
  });

  it("refuses a missing or empty parameter instead of building another route's path", () => {
    expect(() => routePath(routes.createGroupExport, { teamId: "t1", resourceId: "dr1", groupId: "" })).toThrow(
      expect.objectContaining({ code: "BAD_INPUT", message: "POST /api/teams/:teamId/datarooms/:resourceId/groups/:groupId/export-visits needs groupId" }),
    );
    expect(() => routePath(routes.getJob, { teamId: "t1" } as never)).toThrow(/needs exportId/);
  });
});

describe("matchRoutePath", () => {
  it("gives the parameters as sent (still encoded) of a path that is the route's", () => {
    expect(matchRoutePath(routes.cancelJob, "/api/teams/a%2Fb/export-jobs/e1/cancel")).toEqual({ teamId: "a%2Fb", exportId: "e1" });
    expect(matchRoutePath(routes.me, "/api/me")).toEqual({});
  });

  it("is null for any other path", () => {
    for (const path of ["/api/teams/t1/export-jobs/e1", "/api/teams/t1/export-jobs/e1/cancel/", "/api/teams//export-jobs/e1/cancel", "/api/teams/t1/export-jobs/e1/retry"]) {
      expect(matchRoutePath(routes.cancelJob, path)).toBeNull();
    }
    expect(matchRoutePath(routes.findTeams, "/api/teams/t1")).toBeNull();
    expect(matchRoutePath(routes.me, "/api/me/")).toBeNull();
  });

  it("reads back what routePath builds", () => {
    const params = { teamId: "t 1", resourceId: "dr/1", groupId: "g1" };
    const matched = matchRoutePath(routes.createGroupExport, routePath(routes.createGroupExport, params));
    expect(Object.fromEntries(Object.entries(matched!).map(([name, value]) => [name, decodeURIComponent(value)]))).toEqual(params);
  });
});

describe("error codes and HTTP statuses", () => {
  it("answers each error code with its status", () => {
    expect(HTTP_STATUS_OF_ERROR).toEqual({
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
    });
    expect(Object.keys(HTTP_STATUS_OF_ERROR).sort()).toEqual([...ERROR_CODES].sort());
  });

  it("reads a status without an error body as the code it stands for", () => {
    const statuses = [400, 401, 403, 404, 405, 409, 413, 422, 429, 500, 502, 503, 504];
    expect(Object.fromEntries(statuses.map((status) => [status, errorCodeOfStatus(status)]))).toEqual({
      400: "BAD_INPUT",
      401: "UNAUTHORIZED",
      403: "FORBIDDEN",
      404: "NOT_FOUND",
      405: "BAD_INPUT",
      409: "CONFLICT",
      413: "INTERNAL",
      422: "NO_VIEWS",
      429: "RATE_LIMITED",
      500: "INTERNAL",
      502: "INTERNAL",
      503: "UNAVAILABLE",
      504: "TIMEOUT",
    });
  });
});
