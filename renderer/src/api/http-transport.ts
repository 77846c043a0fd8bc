import type { ConsoleApi } from "../../../shared/contract";
import { wireErrorSchema } from "../../../shared/contract";
import { jobChangeSchema, type JobChange } from "../../../shared/job";
import { CREATE_EXPORT_ROUTES, errorCodeOfStatus, routePath, routes } from "../../../shared/routes";
import { ApiError } from "./api-error";
import { downloadBlob } from "./browser-download";
import { openChangeStream } from "./change-stream";
import { checkedOutput } from "./checked-output";
import { fileNameFromContentDisposition } from "./content-disposition";

export interface HttpTransportOptions {
  fetch?: typeof fetch;
  /** How a downloaded CSV reaches the user (default: the browser's download manager). */
  download?: (blob: Blob, fileName: string) => void;
}

/**
 * Browser mode: the same ConsoleApi over the headless server's REST API with a bearer
 * token. Jobs live under their team's path, so the transport remembers each job's team
 * (from listings, creations and change events) and otherwise tries the caller's teams.
 */
export function httpTransport(baseUrl: string, token: string, options: HttpTransportOptions = {}): ConsoleApi {
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const download = options.download ?? downloadBlob;
  const base = baseUrl.replace(/\/+$/, "");
  const teamOfJob = new Map<string, string>();
  let me: Promise<{ userId: string; teams: string[] }> | null = null;

  async function request(path: string, init: RequestInit = {}): Promise<Response> {
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, { ...init, cache: "no-store", headers: { Authorization: `Bearer ${token}`, ...init.headers } });
    } catch (error) {
      throw new ApiError("UNAVAILABLE", `cannot reach the console server: ${error instanceof Error ? error.message : String(error)}`, { network: true });
    }
    if (response.ok) return response;
    const body: unknown = await response.json().catch(() => null);
    const wire = wireErrorSchema.safeParse(typeof body === "object" && body !== null && "error" in body ? body.error : null);
    if (wire.success) {
      const location = typeof body === "object" && body !== null && "location" in body && typeof body.location === "string" ? body.location : undefined;
      throw new ApiError(wire.data.code, wire.data.message, location !== undefined ? { location } : {});
    }
    throw new ApiError(errorCodeOfStatus(response.status), `the server answered ${response.status} ${response.statusText}`.trim());
  }

  async function json(path: string, init?: RequestInit): Promise<unknown> {
    const response = await request(path, init);
    try {
      return await response.json();
    } catch {
      throw new ApiError("INTERNAL", `the server's answer to ${path} is not JSON`);
    }
  }

  function caller(): Promise<{ userId: string; teams: string[] }> {
    me ??= json(routePath(routes.me, {})).then(
      (body) => {
        const teams = checkedOutput("listTeams", typeof body === "object" && body !== null && "teams" in body ? body.teams : null);
        const userId = typeof body === "object" && body !== null && "userId" in body && typeof body.userId === "string" ? body.userId : "";
        return { userId, teams };
      },
      (error: unknown) => {
        me = null; // try again next time
        throw error;
      },
    );
    return me;
  }

  function remember<T extends { id: string; teamId: string }>(job: T): T {
    teamOfJob.set(job.id, job.teamId);
    return job;
  }

  /** Runs `call` with the job's team: the remembered one, else each of the caller's teams in turn. */
  async function withTeamOf<T>(id: string, call: (teamId: string) => Promise<T>): Promise<T> {
    const known = teamOfJob.get(id);
    if (known) return call(known);
    for (const teamId of (await caller()).teams) {
      try {
        const result = await call(teamId);
        teamOfJob.set(id, teamId);
        return result;
      } catch (error) {
        if (!(error instanceof ApiError) || error.code !== "NOT_FOUND") throw error;
      }
    }
    throw new ApiError("NOT_FOUND", `export ${id} not found`);
  }

  const postAction = (id: string, route: typeof routes.cancelJob | typeof routes.retryJob) =>
    withTeamOf(id, (teamId) => json(routePath(route, { teamId, exportId: id }), { method: route.method }));

  const listeners = new Set<(change: JobChange) => void>();
  let closeStream: (() => void) | null = null;

  const api: ConsoleApi = {
    async listJobs({ filter, page }) {
      if (!filter.teamId) throw new ApiError("BAD_INPUT", "choose a team: the server lists one team at a time");
      if (filter.userId) throw new ApiError("BAD_INPUT", "the server cannot filter by user");
      const { status, type, resourceId, search } = filter;
      const query = { status, type, resourceId, search, offset: page.offset, limit: page.limit };
      const result = checkedOutput("listJobs", await json(routePath(routes.listJobs, { teamId: filter.teamId }, query)));
      result.jobs.forEach(remember);
      return result;
    },
    getJob: async ({ id }) => remember(checkedOutput("getJob", await withTeamOf(id, (teamId) => json(routePath(routes.getJob, { teamId, exportId: id }))))),
    async createExport(input) {
      const { since, until, profile } = input;
      const options = { ...(since ? { since } : {}), ...(until ? { until } : {}), ...(profile ? { profile } : {}) };
      const route = CREATE_EXPORT_ROUTES[input.type];
      const path = routePath(route, { teamId: input.teamId, resourceId: input.resourceId, groupId: input.groupId ?? "" });
      const body = await json(path, { method: route.method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(options) });
      return remember(checkedOutput("createExport", typeof body === "object" && body !== null && "job" in body ? body.job : null));
    },
    async deleteJob({ id }) {
      const result = checkedOutput("deleteJob", await withTeamOf(id, (teamId) => json(routePath(routes.deleteJob, { teamId, exportId: id }), { method: routes.deleteJob.method })));
      teamOfJob.delete(id);
      return result;
    },
    cancelJob: async ({ id }) => remember(checkedOutput("cancelJob", await postAction(id, routes.cancelJob))),
    retryJob: async ({ id }) => remember(checkedOutput("retryJob", await postAction(id, routes.retryJob))),
    async saveResult({ id }) {
      let response: Response;
      try {
        response = await withTeamOf(id, (teamId) => request(routePath(routes.downloadResult, { teamId, exportId: id })));
      } catch (error) {
        if (error instanceof ApiError && error.code === "RESULT_ELSEWHERE" && error.location) return { saved: false, location: error.location };
        throw error;
      }
      const name = fileNameFromContentDisposition(response.headers.get("Content-Disposition")) ?? `visits-${id}.csv`;
      download(await response.blob(), name);
      return { saved: true, fileName: name };
    },
    openResultLocation: async () => {
      // A page cannot open a window after an await without a popup blocker stepping in.
      throw new ApiError("BAD_INPUT", "in a browser, follow the CSV's link instead");
    },
    /** The server's current values, read-only and without secrets. */
    getSettings: async () => checkedOutput("getSettings", await json(routePath(routes.getSettings, {}))),
    setSettings: async () => {
      throw new ApiError("BAD_INPUT", "settings are configured on the server");
    },
    getConnectionStatus: async () => checkedOutput("getConnectionStatus", await json(routePath(routes.getConnectionStatus, {}))),
    listTeams: async () => (await caller()).teams,
    findTeams: async (input) => checkedOutput("findTeams", await json(routePath(routes.findTeams, {}, input))),
    findResources: async ({ teamId, ...input }) => checkedOutput("findResources", await json(routePath(routes.findResources, { teamId }, input))),
    listAudit: async ({ teamId, query }) => checkedOutput("listAudit", await json(routePath(routes.listAudit, { teamId }, query))),
    onJobChanged(listener) {
      listeners.add(listener);
      closeStream ??= openChangeStream({
        url: `${base}${routePath(routes.events, {})}`,
        token,
        fetch: doFetch,
        onData: (data) => {
          let parsed: unknown;
          try {
            parsed = JSON.parse(data);
          } catch {
            return;
          }
          const change = jobChangeSchema.safeParse(parsed);
          if (!change.success) return;
          if (change.data.kind === "deleted") teamOfJob.delete(change.data.id);
          else teamOfJob.set(change.data.id, change.data.teamId);
          for (const each of listeners) each(change.data);
        },
      });
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) {
          closeStream?.();
          closeStream = null;
        }
      };
    },
  };
  return api;
}
