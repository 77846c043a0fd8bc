import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import type { ConnectionStatus } from "../../../shared/connection-status";
import { exportFileName } from "../../../shared/csv-columns";
import { AppError, toWireError } from "../../../shared/errors";
import { idSchema } from "../../../shared/ids";
import { exportOptionsSchema, jobStateSchema, jobTypeSchema, MAX_PAGE_LIMIT, MAX_PAGE_OFFSET, type JobChange, type JobType } from "../../../shared/job";
import type { ResourceQuery, TeamQuery } from "../../../shared/resources";
import { CREATE_EXPORT_ROUTES, HTTP_STATUS_OF_ERROR, matchRoutePath, METHOD_NOT_ALLOWED_STATUS, routes, type ApiRoute, type RouteName } from "../../../shared/routes";
import type { ExportService } from "../../core/queue/export-service";
import type { Settings } from "../../../shared/settings";
import type { ApiAuth, Caller } from "./api-auth";
import { RequestLimiter, type RequestLimit } from "./request-limit";
import { serverSettingsView } from "./server-settings-view";

export interface RestApiDeps {
  service: ExportService;
  auth: ApiAuth;
  /** The server's settings: GET /api/settings shows them without the secrets. */
  settings: Settings;
  status: () => Promise<ConnectionStatus>;
  onChange: (listener: (change: JobChange) => void) => () => void;
  /** Per-token request limit (default DEFAULT_REQUEST_LIMIT). */
  requestLimit?: RequestLimit;
}

const MAX_BODY_BYTES = 16 * 1024;


const listQuerySchema = z
  .object({
    status: jobStateSchema.optional(),
    type: jobTypeSchema.optional(),
    resourceId: idSchema.optional(),
    search: z.string().max(200).optional(),
    offset: z.coerce.number().int().min(0).max(MAX_PAGE_OFFSET).optional(),
    limit: z.coerce.number().int().min(1).max(MAX_PAGE_LIMIT).optional(),
  })
  .strict();

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(text), "Cache-Control": "no-store" });
  res.end(text);
}

function sendError(res: ServerResponse, error: unknown): void {
  const wire = toWireError(error);
  const status = HTTP_STATUS_OF_ERROR[wire.code];
  // Internal details stay in the server's log; callers get a stable message.
  send(res, status, { error: status === 500 && wire.code === "INTERNAL" ? { code: "INTERNAL", message: "internal error" } : wire });
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new AppError("BAD_INPUT", `the request body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8").trim();
  if (text === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("BAD_INPUT", "the request body is not valid JSON");
  }
}

function param(value: string, what: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    throw new AppError("BAD_INPUT", `invalid ${what}`);
  }
  const parsed = idSchema.safeParse(decoded);
  if (!parsed.success) throw new AppError("BAD_INPUT", `invalid ${what}: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/**
 * A search's query parameters: only the `allowed` names, once each; offset and limit as
 * numbers. The service checks the values.
 */
function searchParams(url: URL, allowed: readonly string[]): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [name, value] of url.searchParams) {
    if (!allowed.includes(name)) throw new AppError("BAD_INPUT", `invalid query: unknown parameter ${name}`);
    if (name in out) throw new AppError("BAD_INPUT", `invalid query: ${name} is given twice`);
    if (name === "offset" || name === "limit") {
      if (!/^\d{1,7}$/.test(value)) throw new AppError("BAD_INPUT", `invalid query: ${name} must be a whole number`);
      out[name] = Number(value);
    } else {
      out[name] = value;
    }
  }
  return out;
}

function teamOf(caller: Caller, teamId: string): readonly string[] {
  // A team the caller does not belong to does not exist for it.
  if (!caller.teams.includes(teamId)) throw new AppError("NOT_FOUND", `team ${teamId} not found`);
  return caller.teams;
}

/**
 * Whether the URL asks for `route`'s answer by its fixed query (`?download=true`); a fixed
 * parameter given with another value is refused.
 */
function asksFor(route: ApiRoute, url: URL): boolean {
  let asked = true;
  for (const [name, value] of Object.entries(route.query ?? {})) {
    const given = url.searchParams.get(name);
    if (given === null) asked = false;
    else if (given !== value) throw new AppError("BAD_INPUT", `${name} must be ${value} when given`);
  }
  return asked;
}

/** A route's handler; `params` are its path's segments as sent (still percent-encoded). */
type Handler = (ctx: RouteContext, params: Record<string, string>) => Promise<void>;
interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  caller: Caller;
}

/**
 * The seed's REST API (plus cancel/retry, status and a change stream for the browser
 * console), behind bearer tokens with team scoping: another team's job is a 404.
 */
export function createRestApi(deps: RestApiDeps): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> {
  const { service } = deps;
  const requestLimiter = new RequestLimiter(deps.requestLimit);

  const create = (type: JobType): Handler => async (ctx, p) => {
    const teamId = param(p.teamId!, "team id");
    const scope = teamOf(ctx.caller, teamId);
    // The seed's create endpoints take no body; ours may carry the date range and the CSV profile.
    const body = exportOptionsSchema.safeParse(await readJsonBody(ctx.req));
    if (!body.success) {
      const issue = body.error.issues[0];
      throw new AppError("BAD_INPUT", `invalid request body: ${issue?.path.length ? `${issue.path.join(".")}: ` : ""}${issue?.message ?? "bad value"}`);
    }
    const request = {
      ...body.data,
      type,
      teamId,
      resourceId: param(p.resourceId!, type === "document" ? "document id" : "dataroom id"),
      ...(type === "dataroom-group" ? { groupId: param(p.groupId!, "group id") } : {}),
    };
    const job = await service.create(request, ctx.caller.userId, scope);
    send(ctx.res, 202, { exportId: job.id, job });
  };

  type CreateRoute = (typeof CREATE_EXPORT_ROUTES)[JobType];
  type CreateRouteName = { [Name in RouteName]: (typeof routes)[Name] extends CreateRoute ? Name : never }[RouteName];
  // Every other route of the table has its handler here (downloadResult is getJob's with a query).
  const handlers: Record<Exclude<RouteName, CreateRouteName | "downloadResult">, Handler> = {
    listJobs: async (ctx, p) => {
      const teamId = param(p.teamId!, "team id");
      const scope = teamOf(ctx.caller, teamId);
      const query = listQuerySchema.safeParse(Object.fromEntries(ctx.url.searchParams));
      if (!query.success) throw new AppError("BAD_INPUT", `invalid query: ${query.error.issues[0]?.path.join(".")} ${query.error.issues[0]?.message}`);
      const { offset, limit, ...filter } = query.data;
      // A client that hangs up stops a long search instead of leaving it to run for nobody.
      const caller = new AbortController();
      ctx.res.once("close", () => {
        if (!ctx.res.writableFinished) caller.abort();
      });
      send(ctx.res, 200, await service.list({ ...filter, teamId }, { offset, limit }, scope, caller.signal));
    },
    getJob: async (ctx, p) => {
      const scope = teamOf(ctx.caller, param(p.teamId!, "team id"));
      const id = param(p.exportId!, "export id");
      if (!asksFor(routes.downloadResult, ctx.url)) {
        send(ctx.res, 200, await service.get(id, scope));
        return;
      }
      const result = await service.result(id, scope);
      if ("location" in result) {
        // Not a redirect: a console's fetch would follow it to a foreign origin and lose the URL.
        send(ctx.res, HTTP_STATUS_OF_ERROR.RESULT_ELSEWHERE, {
          error: { code: "RESULT_ELSEWHERE", message: `export ${id} was made by Papermark's web app, which keeps its CSV at ${result.location}` },
          location: result.location,
        });
        return;
      }
      const { job, csv } = result;
      const name = exportFileName(job.resourceName ?? job.resourceId, new Date(job.completedAt ?? Date.now()), job);
      ctx.res.writeHead(200, {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="${name}"`,
        "Content-Length": Buffer.byteLength(csv),
        "Cache-Control": "no-store",
      });
      ctx.res.end(csv);
    },
    deleteJob: async (ctx, p) => {
      const scope = teamOf(ctx.caller, param(p.teamId!, "team id"));
      await service.delete(param(p.exportId!, "export id"), ctx.caller.userId, scope);
      send(ctx.res, 200, { deleted: true });
    },
    cancelJob: async (ctx, p) => {
      const scope = teamOf(ctx.caller, param(p.teamId!, "team id"));
      send(ctx.res, 200, await service.cancel(param(p.exportId!, "export id"), ctx.caller.userId, scope));
    },
    retryJob: async (ctx, p) => {
      const scope = teamOf(ctx.caller, param(p.teamId!, "team id"));
      send(ctx.res, 200, await service.retry(param(p.exportId!, "export id"), ctx.caller.userId, scope));
    },
    listAudit: async (ctx, p) => {
      const teamId = param(p.teamId!, "team id");
      const scope = teamOf(ctx.caller, teamId);
      send(ctx.res, 200, await service.auditTrail(teamId, searchParams(ctx.url, ["jobId", "offset", "limit"]), scope));
    },
    findResources: async (ctx, p) => {
      const teamId = param(p.teamId!, "team id");
      const scope = teamOf(ctx.caller, teamId);
      const query = searchParams(ctx.url, ["type", "dataroomId", "q", "offset", "limit"]);
      send(ctx.res, 200, await service.findResources({ ...query, teamId } as ResourceQuery, scope));
    },
    findTeams: async (ctx) => send(ctx.res, 200, await service.findTeams(searchParams(ctx.url, ["q", "offset", "limit"]) as TeamQuery, ctx.caller.teams)),
    me: async (ctx) => send(ctx.res, 200, { userId: ctx.caller.userId, teams: ctx.caller.teams }),
    getConnectionStatus: async (ctx) => send(ctx.res, 200, await deps.status()),
    getSettings: async (ctx) => send(ctx.res, 200, serverSettingsView(deps.settings)),
    // Read with fetch, so the token travels in a header.
    events: async (ctx) => {
      ctx.res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-store", Connection: "keep-alive" });
      ctx.res.write(": connected\n\n");
      const unsubscribe = deps.onChange((change) => {
        if (ctx.caller.teams.includes(change.teamId)) ctx.res.write(`data: ${JSON.stringify(change)}\n\n`);
      });
      const heartbeat = setInterval(() => ctx.res.write(": ping\n\n"), 15_000);
      await new Promise<void>((resolve) => ctx.req.once("close", resolve));
      clearInterval(heartbeat);
      unsubscribe();
    },
  };
  const served: { route: ApiRoute; handle: Handler }[] = [
    ...(Object.entries(CREATE_EXPORT_ROUTES) as [JobType, ApiRoute][]).map(([type, route]) => ({ route, handle: create(type) })),
    ...(Object.keys(handlers) as (keyof typeof handlers)[]).map((name) => ({ route: routes[name], handle: handlers[name] })),
  ];

  return async (req, res, url) => {
    try {
      const caller = deps.auth.callerFor(req.headers.authorization);
      if (!caller) {
        res.setHeader("WWW-Authenticate", 'Bearer realm="export-console"');
        throw new AppError("UNAUTHORIZED", "a valid bearer token is required");
      }
      const waitMs = requestLimiter.take(req.headers.authorization ?? "");
      if (waitMs > 0) {
        const seconds = Math.ceil(waitMs / 1000);
        res.setHeader("Retry-After", String(seconds));
        throw new AppError("RATE_LIMITED", `too many requests with this token: try again in ${seconds} s`);
      }
      const matching = served.flatMap(({ route, handle }) => {
        const params = matchRoutePath(route, url.pathname);
        return params ? [{ method: route.method, handle, params }] : [];
      });
      if (matching.length === 0) throw new AppError("NOT_FOUND", `no such endpoint: ${url.pathname}`);
      const match = matching.find((m) => m.method === req.method);
      if (!match) {
        res.setHeader("Allow", matching.map((m) => m.method).join(", "));
        send(res, METHOD_NOT_ALLOWED_STATUS, { error: { code: "BAD_INPUT", message: `${req.method} is not allowed here` } });
        return;
      }
      await match.handle({ req, res, url, caller }, match.params);
    } catch (error) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendError(res, error);
    }
  };
}
