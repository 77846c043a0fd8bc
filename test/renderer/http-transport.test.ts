import { describe, expect, it, vi } from "vitest";
import type { JobChange } from "../../shared/job";
import { routePath, routes, type ApiRoute, type RouteParams } from "../../shared/routes";
import { httpTransport } from "../../renderer/src/api/http-transport";
import { makeJob } from "./fake-console-api";

type Handler = (url: URL, init: RequestInit) => Response | Promise<Response>;

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

function server(routes: Record<string, Handler>) {
  const requests: { method: string; path: string; auth: string | null }[] = [];
  const fetch = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input));
    const method = init.method ?? "GET";
    requests.push({ method, path: `${url.pathname}${url.search}`, auth: new Headers(init.headers).get("Authorization") });
    const handler = routes[`${method} ${url.pathname}`];
    if (!handler) return json({ error: { code: "NOT_FOUND", message: `no route ${method} ${url.pathname}` } }, 404);
    return handler(url, init);
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, requests };
}

/** "METHOD path" of a route, as the fake server keys its handlers and the tests list requests. */
const at = <P extends string>(route: ApiRoute<P>, params: RouteParams<P>) => `${route.method} ${routePath(route, params)}`;

const ME = { [at(routes.me, {})]: () => json({ userId: "alice", teams: ["t1", "t2"] }) };

describe("httpTransport", () => {
  it("lists a team's jobs with the filters as query parameters and the bearer token", async () => {
    const job = makeJob({ teamId: "t2" });
    const { fetch, requests } = server({ [at(routes.listJobs, { teamId: "t2" })]: () => json({ jobs: [job], total: 1, malformed: [] }) });
    const api = httpTransport("http://server/", "tok", { fetch });
    const result = await api.listJobs({ filter: { teamId: "t2", status: "COMPLETED", search: "deck" }, page: { offset: 50, limit: 50 } });
    expect(result.jobs).toEqual([job]);
    expect(requests).toEqual([{ method: "GET", path: `${routePath(routes.listJobs, { teamId: "t2" })}?status=COMPLETED&search=deck&offset=50&limit=50`, auth: "Bearer tok" }]);
    await expect(api.listJobs({ filter: {}, page: {} })).rejects.toMatchObject({ code: "BAD_INPUT", message: expect.stringMatching(/choose a team/) });
  });

  it("shows a bad listing as an error instead of passing it on", async () => {
    const { fetch } = server({ [at(routes.listJobs, { teamId: "t1" })]: () => json({ jobs: [{ id: "x" }], total: "many" }) });
    await expect(httpTransport("http://server", "tok", { fetch }).listJobs({ filter: { teamId: "t1" }, page: {} })).rejects.toMatchObject({ code: "INTERNAL" });
  });

  it("maps error bodies, bare statuses and network failures to ApiErrors", async () => {
    const { fetch } = server({
      [at(routes.listJobs, { teamId: "t1" })]: () => json({ error: { code: "UNAVAILABLE", message: "Redis is unreachable: boom" } }, 503),
      [at(routes.getConnectionStatus, {})]: () => new Response("<html>bad gateway</html>", { status: 502, statusText: "Bad Gateway" }),
    });
    const api = httpTransport("http://server", "tok", { fetch });
    await expect(api.listJobs({ filter: { teamId: "t1" }, page: {} })).rejects.toMatchObject({ code: "UNAVAILABLE", message: "Redis is unreachable: boom", network: false });
    await expect(api.getConnectionStatus({})).rejects.toMatchObject({ code: "INTERNAL", message: "the server answered 502 Bad Gateway" });
    const offline = httpTransport("http://server", "tok", { fetch: (async () => Promise.reject(new TypeError("Failed to fetch"))) as typeof globalThis.fetch });
    await expect(offline.listTeams({})).rejects.toMatchObject({ code: "UNAVAILABLE", network: true });
  });

  it("finds a job's team by trying the caller's teams, then remembers it", async () => {
    const job = makeJob({ teamId: "t2" });
    const { fetch, requests } = server({
      ...ME,
      [at(routes.getJob, { teamId: "t2", exportId: job.id })]: () => json(job),
      [at(routes.cancelJob, { teamId: "t2", exportId: job.id })]: () => json({ ...job, status: "FAILED" }),
    });
    const api = httpTransport("http://server", "tok", { fetch });
    expect(await api.getJob({ id: job.id })).toEqual(job);
    expect(await api.cancelJob({ id: job.id })).toMatchObject({ status: "FAILED" });
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      at(routes.me, {}),
      at(routes.getJob, { teamId: "t1", exportId: job.id }),
      at(routes.getJob, { teamId: "t2", exportId: job.id }),
      at(routes.cancelJob, { teamId: "t2", exportId: job.id }),
    ]);
    await expect(api.getJob({ id: "nowhere" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("creates exports of each type on the seed's endpoints", async () => {
    const created = (type: "document" | "dataroom" | "dataroom-group", groupId?: string) => () => json({ exportId: "new1", job: { ...makeJob({ id: "new1", type, groupId, status: "PENDING" }), result: undefined } }, 202);
    const { fetch, requests } = server({
      [at(routes.createDocumentExport, { teamId: "t1", resourceId: "d1" })]: created("document"),
      [at(routes.createDataroomExport, { teamId: "t1", resourceId: "dr1" })]: created("dataroom"),
      [at(routes.createGroupExport, { teamId: "t1", resourceId: "dr1", groupId: "g1" })]: created("dataroom-group", "g1"),
    });
    const api = httpTransport("http://server", "tok", { fetch });
    expect(await api.createExport({ type: "document", teamId: "t1", resourceId: "d1" })).toMatchObject({ id: "new1", type: "document" });
    expect(await api.createExport({ type: "dataroom", teamId: "t1", resourceId: "dr1" })).toMatchObject({ type: "dataroom" });
    expect(await api.createExport({ type: "dataroom-group", teamId: "t1", resourceId: "dr1", groupId: "g1" })).toMatchObject({ groupId: "g1" });
    expect(requests.map((r) => r.method)).toEqual(["POST", "POST", "POST"]);
  });

  it("searches resources and teams on the REST endpoints", async () => {
    const { fetch, requests } = server({
      [at(routes.findResources, { teamId: "t1" })]: () => json({ resources: [{ id: "d1", name: "Pitch Deck", views: 6 }], total: 1 }),
      [at(routes.findTeams, {})]: () => json({ teams: [{ id: "t1", name: "Team One" }], total: 1 }),
    });
    const api = httpTransport("http://server", "tok", { fetch });
    expect(await api.findResources({ teamId: "t1", type: "group", dataroomId: "dr1", q: "pitch deck", limit: 8 })).toEqual({ resources: [{ id: "d1", name: "Pitch Deck", views: 6 }], total: 1 });
    expect(await api.findTeams({ q: "one" })).toEqual({ teams: [{ id: "t1", name: "Team One" }], total: 1 });
    expect(requests.map((r) => r.path)).toEqual([`${routePath(routes.findResources, { teamId: "t1" })}?type=group&dataroomId=dr1&q=pitch+deck&limit=8`, `${routePath(routes.findTeams, {})}?q=one`]);
  });

  it("lists the audit trail, retries and deletes a job on their routes", async () => {
    const job = makeJob({ teamId: "t1", status: "FAILED" });
    const trail = { entries: [{ at: "2026-03-02T09:00:00.000Z", actor: "alice", action: "created", jobId: job.id }], total: 1, unreadable: 0 };
    const { fetch, requests } = server({
      [at(routes.listJobs, { teamId: "t1" })]: () => json({ jobs: [job], total: 1, malformed: [] }),
      [at(routes.listAudit, { teamId: "t1" })]: () => json(trail),
      [at(routes.retryJob, { teamId: "t1", exportId: job.id })]: () => json({ ...job, status: "PENDING" }),
      [at(routes.deleteJob, { teamId: "t1", exportId: job.id })]: () => json({ deleted: true }),
    });
    const api = httpTransport("http://server", "tok", { fetch });
    await api.listJobs({ filter: { teamId: "t1" }, page: {} }); // teaches the transport the job's team
    expect(await api.listAudit({ teamId: "t1", query: { jobId: job.id, limit: 20 } })).toEqual(trail);
    expect(await api.retryJob({ id: job.id })).toMatchObject({ status: "PENDING" });
    expect(await api.deleteJob({ id: job.id })).toEqual({ deleted: true });
    expect(requests.slice(1).map((r) => `${r.method} ${r.path}`)).toEqual([
      `${at(routes.listAudit, { teamId: "t1" })}?jobId=${job.id}&limit=20`,
      at(routes.retryJob, { teamId: "t1", exportId: job.id }),
      at(routes.deleteJob, { teamId: "t1", exportId: job.id }),
    ]);
  });

  it("sends the date range and the CSV profile in the create body, and nothing else", async () => {
    const bodies: unknown[] = [];
    const { fetch } = server({
      [at(routes.createDocumentExport, { teamId: "t1", resourceId: "d1" })]: (_url, init) => {
        bodies.push(JSON.parse(String(init.body)));
        return json({ exportId: "new1", job: makeJob({ id: "new1", status: "PENDING" }) }, 202);
      },
    });
    const api = httpTransport("http://server", "tok", { fetch });
    await api.createExport({ type: "document", teamId: "t1", resourceId: "d1", since: "2026-01-01", until: "2026-01-31", profile: "spreadsheet" });
    await api.createExport({ type: "document", teamId: "t1", resourceId: "d1" });
    expect(bodies).toEqual([{ since: "2026-01-01", until: "2026-01-31", profile: "spreadsheet" }, {}]);
  });

  it("downloads a CSV byte for byte under the server's file name", async () => {
    const job = makeJob();
    const csv = "\uFEFFViewed at,Name\n2026-01-01T00:00:00.000Z,Zoë \"Z\"\n";
    const { fetch, requests } = server({
      [at(routes.listJobs, { teamId: "t1" })]: () => json({ jobs: [job], total: 1, malformed: [] }),
      [at(routes.getJob, { teamId: "t1", exportId: job.id })]: (url) =>
        url.searchParams.get("download") === "true"
          ? new Response(csv, { headers: { "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": 'attachment; filename="visits-Pitch_Deck-2026-03-02.csv"' } })
          : json(job),
    });
    const downloads: { blob: Blob; name: string }[] = [];
    const api = httpTransport("http://server", "tok", { fetch, download: (blob, name) => downloads.push({ blob, name }) });
    await api.listJobs({ filter: { teamId: "t1" }, page: {} }); // teaches the transport the job's team
    expect(await api.saveResult({ id: job.id })).toEqual({ saved: true, fileName: "visits-Pitch_Deck-2026-03-02.csv" });
    expect(requests.at(-1)!.path).toBe(`${routePath(routes.getJob, { teamId: "t1", exportId: job.id })}?download=true`);
    expect(downloads[0]!.name).toBe("visits-Pitch_Deck-2026-03-02.csv");
    expect(Buffer.from(await downloads[0]!.blob.arrayBuffer()).equals(Buffer.from(csv, "utf8"))).toBe(true);
  });

  it("serves read-only settings, the server's status and the caller's teams", async () => {
    const status = { redis: { ok: true }, postgres: { ok: false, message: "down" }, tinybird: { ok: true }, demo: true };
    const view = { configured: true, values: { mode: "batch", limiter: { maxConcurrent: 3, minTime: 50 }, jobTtlSeconds: 3600 }, tinybirdTokenSet: true, secretsEncrypted: false };
    const { fetch, requests } = server({ ...ME, [at(routes.getConnectionStatus, {})]: () => json(status), [at(routes.getSettings, {})]: () => json(view) });
    const api = httpTransport("http://server", "tok", { fetch });
    expect(await api.getSettings({})).toMatchObject(view);
    expect(requests.at(-1)).toEqual({ method: "GET", path: routePath(routes.getSettings, {}), auth: "Bearer tok" });
    await expect(api.setSettings({ mode: "batch" })).rejects.toMatchObject({ code: "BAD_INPUT", message: "settings are configured on the server" });
    expect(await api.getConnectionStatus({})).toEqual(status);
    expect(await api.listTeams({})).toEqual(["t1", "t2"]);
  });

  it("streams change events over fetch and reconnects after the stream ends", async () => {
    const change: JobChange = { kind: "updated", id: "abc", teamId: "t1", userId: "alice", status: "PROCESSING", progress: 1, total: 5, at: "2026-03-02T09:00:00.000Z" };
    let connections = 0;
    const { fetch, requests } = server({
      [at(routes.events, {})]: () => {
        connections += 1;
        const encoder = new TextEncoder();
        const text = `: connected\n\ndata: ${JSON.stringify({ ...change, progress: connections })}\n\ndata: not json\n\n`;
        const body = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(encoder.encode(text.slice(0, 20)));
            controller.enqueue(encoder.encode(text.slice(20)));
            controller.close();
          },
        });
        return new Response(body, { headers: { "Content-Type": "text/event-stream" } });
      },
    });
    const api = httpTransport("http://server", "tok", { fetch });
    const received: JobChange[] = [];
    const stop = api.onJobChanged((c) => received.push(c));
    await vi.waitFor(() => expect(received.length).toBeGreaterThanOrEqual(2), { timeout: 5000 });
    stop();
    expect(received[0]).toEqual({ ...change, progress: 1 });
    expect(received[1]).toEqual({ ...change, progress: 2 });
    expect(requests[0]!.auth).toBe("Bearer tok");
  });
});
