import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExportJobSummary } from "../../shared/job";
import { API_PREFIX, routePath, routes, type RouteQuery } from "../../shared/routes";
import { settingsSchema } from "../../shared/settings";
import { startConsoleCore, type ConsoleCore } from "../../electron/core/console-core";
import { ApiAuth } from "../../electron/headless/server/api-auth";
import { startHttpServer, type RunningServer } from "../../electron/headless/server/http-server";
import { TinybirdEmulator } from "../../electron/dev/tinybird-emulator/tinybird-emulator";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../electron/dev/embedded-postgres";
import { seedSmallDataset, smallEmulatorData } from "../fixtures/small-dataset";
import { TestRedisServer, testPrefix } from "../helpers/redis-server";
import { rawRoutePath, routeRequests } from "../helpers/route-requests";

const ALICE = "alice-token-0123456789"; // team t1
const BOB = "bob-token-0123456789ab"; // team t2 only

let redis: TestRedisServer;
let db: EmbeddedPostgres;
let emulator: TinybirdEmulator;
let core: ConsoleCore;
let server: RunningServer;

beforeAll(async () => {
  redis = await TestRedisServer.start();
  db = await startEmbeddedPostgres();
  await seedSmallDataset(db);
  emulator = new TinybirdEmulator({ token: "tb", data: smallEmulatorData });
  await emulator.start();
  const settings = settingsSchema.parse({
    redisUrl: redis.url,
    databaseUrl: "postgres://embedded/test",
    tinybirdHost: emulator.url,
    tinybirdToken: "tb",
    limiter: { maxConcurrent: 5, minTime: 0 },
    runner: { concurrency: 2, timeoutMs: 60_000, attempts: 2, backoffMs: 100 },
  });
  const prefix = testPrefix();
  core = await startConsoleCore(settings, { runner: true, sql: db.sql, prefix, bullPrefix: `${prefix}bull` });
  server = await startHttpServer({
    service: core.service,
    auth: new ApiAuth({ [ALICE]: { userId: "alice", teams: ["t1"] }, [BOB]: { userId: "bob", teams: ["t2"] } }),
    settings,
    status: () => core.status(),
    onChange: (listener) => core.onChange(listener),
  });
});
afterAll(async () => {
  await server.close();
  await core.stop();
  await emulator.stop();
  await db.sql.close();
  await redis.close();
});

function api(path: string, init: RequestInit & { token?: string | null } = {}) {
  const { token = ALICE, ...rest } = init;
  return fetch(`${server.url}${path}`, { ...rest, headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(rest.headers ?? {}) } });
}

const call = routeRequests(() => server.url, ALICE);

async function json<T = Record<string, unknown>>(response: Response): Promise<T> {
  expect(response.headers.get("content-type")).toMatch(/application\/json/);
  return (await response.json()) as T;
}

async function completed(teamId: string, exportId: string, token = ALICE): Promise<ExportJobSummary> {
  let job: ExportJobSummary | undefined;
  await expect
    .poll(
      async () => {
        job = await json<ExportJobSummary>(await call(routes.getJob, { teamId, exportId }, { token }));
        return job.status;
      },
      { timeout: 15_000, interval: 100 },
    )
    .toBe("COMPLETED");
  return job!;
}

describe("auth and scoping", () => {
  it("answers 401 without a valid bearer token", async () => {
    for (const token of [null, "wrong-token-000000000000"]) {
      const response = await call(routes.listJobs, { teamId: "t1" }, { token });
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect((await json<{ error: { code: string } }>(response)).error.code).toBe("UNAUTHORIZED");
    }
    expect((await call(routes.listJobs, { teamId: "t1" }, { headers: { Authorization: `Basic ${ALICE}` }, token: null })).status).toBe(401);
  });

  it("hides other teams: their jobs and their paths are 404", async () => {
    const { exportId } = await json<{ exportId: string }>(await call(routes.createDocumentExport, { teamId: "t1", resourceId: "d1" }));
    expect((await call(routes.getJob, { teamId: "t1", exportId }, { token: BOB })).status).toBe(404);
    expect((await call(routes.getJob, { teamId: "t2", exportId }, { token: BOB })).status).toBe(404);
    expect((await call(routes.deleteJob, { teamId: "t2", exportId }, { token: BOB })).status).toBe(404);
    expect((await call(routes.createDocumentExport, { teamId: "t1", resourceId: "d1" }, { token: BOB })).status).toBe(404);
    const bobs = await json<{ jobs: unknown[] }>(await call(routes.listJobs, { teamId: "t2" }, { token: BOB }));
    expect(bobs.jobs).toEqual([]);
    expect(await json(await call(routes.me, {}, { token: BOB }))).toEqual({ userId: "bob", teams: ["t2"] });
  });
});

describe("the seed's endpoints", () => {
  it("creates a document export, reports it, and downloads the CSV", async () => {
    const created = await call(routes.createDocumentExport, { teamId: "t1", resourceId: "d1" });
    expect(created.status).toBe(202);
    const { exportId } = await json<{ exportId: string }>(created);
    const job = await completed("t1", exportId);
    expect(job).toMatchObject({ type: "document", resourceId: "d1", resourceName: "Pitch Deck", userId: "alice", teamId: "t1", progress: 5, total: 5 });
    expect(job).not.toHaveProperty("result");

    const download = await call(routes.downloadResult, { teamId: "t1", exportId });
    expect(download.status).toBe(200);
    expect(download.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(download.headers.get("content-disposition")).toBe(`attachment; filename="visits-Pitch_Deck-${job.completedAt!.slice(0, 10)}.csv"`);
    const csv = await download.text();
    expect(csv).toBe((await core.store.getResult(exportId))!);
    expect(csv.split("\n")[0]).toMatch(/^Viewed at,Name,Email,Link Name,Total View Duration \(s\)/);

    const listed = await json<{ jobs: ExportJobSummary[]; total: number }>(await call(routes.listJobs, { teamId: "t1" }, { query: { status: "COMPLETED", type: "document" } }));
    expect(listed.jobs.map((j) => j.id)).toContain(exportId);
    expect(listed.jobs.every((j) => j.status === "COMPLETED" && j.type === "document")).toBe(true);
  });

  it("creates dataroom and dataroom-group exports", async () => {
    const room = await json<{ exportId: string }>(await call(routes.createDataroomExport, { teamId: "t1", resourceId: "dr1" }, { body: "{}" }));
    const group = await json<{ exportId: string }>(await call(routes.createGroupExport, { teamId: "t1", resourceId: "dr1", groupId: "g1" }));
    expect(await completed("t1", room.exportId)).toMatchObject({ type: "dataroom", resourceName: "Series A Room" });
    expect(await completed("t1", group.exportId)).toMatchObject({ type: "dataroom-group", groupId: "g1", resourceName: "Series A Room - Investors" });
  });

  it("takes a date range and the spreadsheet profile in the create body, records them, and names the file after the range", async () => {
    const created = await call(routes.createDocumentExport, { teamId: "t1", resourceId: "d1" }, {
      body: JSON.stringify({ since: "2026-01-01", until: "2026-01-15", profile: "spreadsheet" }),
    });
    expect(created.status).toBe(202);
    const { exportId, job: pending } = await json<{ exportId: string; job: ExportJobSummary }>(created);
    expect(pending).toMatchObject({ since: "2026-01-01", until: "2026-01-15", profile: "spreadsheet" });
    const job = await completed("t1", exportId);
    expect(job).toMatchObject({ since: "2026-01-01", until: "2026-01-15", profile: "spreadsheet", total: 1 });
    const download = await call(routes.downloadResult, { teamId: "t1", exportId });
    expect(download.headers.get("content-disposition")).toBe(`attachment; filename="visits-Pitch_Deck-${job.completedAt!.slice(0, 10)}-from-2026-01-01-to-2026-01-15.csv"`);
    const csv = new TextDecoder("utf-8", { ignoreBOM: true }).decode(await download.arrayBuffer());
    expect(csv.startsWith("\uFEFFViewed at,")).toBe(true);
    expect(csv.split("\n")).toHaveLength(2);
    expect(csv).not.toContain("NaN");
  });

  it("deletes a job", async () => {
    const { exportId } = await json<{ exportId: string }>(await call(routes.createDocumentExport, { teamId: "t1", resourceId: "d1" }));
    await completed("t1", exportId);
    const deleted = await call(routes.deleteJob, { teamId: "t1", exportId });
    expect(deleted.status).toBe(200);
    expect((await call(routes.getJob, { teamId: "t1", exportId })).status).toBe(404);
  });

  it("shows a FAILED job's error and has no CSV for it; a failure for good cannot be retried", async () => {
    const { exportId } = await json<{ exportId: string }>(await call(routes.createDocumentExport, { teamId: "t1", resourceId: "d4" })); // its one view is paused
    await expect.poll(async () => (await json<ExportJobSummary>(await call(routes.getJob, { teamId: "t1", exportId }))).status, { timeout: 10_000 }).toBe("FAILED");
    const job = await json<ExportJobSummary>(await call(routes.getJob, { teamId: "t1", exportId }));
    expect(job.error).toBe("Cannot be retried: document d4 has no views to export");
    const download = await call(routes.downloadResult, { teamId: "t1", exportId });
    expect(download.status).toBe(409);
    const retry = await call(routes.retryJob, { teamId: "t1", exportId });
    expect(retry.status).toBe(409);
    expect((await json<{ error: { message: string } }>(retry)).error.message).toMatch(/^export [\w-]+ cannot be retried: document d4 has no views to export$/);
  });

  it("streams the caller's teams' changes as server-sent events", async () => {
    const controller = new AbortController();
    const response = await call(routes.events, {}, { signal: controller.signal });
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const reader = response.body!.getReader();
    const { exportId } = await json<{ exportId: string }>(await call(routes.createDocumentExport, { teamId: "t1", resourceId: "d1" }));
    let text = "";
    while (!text.includes(`"status":"COMPLETED"`)) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    expect(text).toContain(`"id":"${exportId}"`);
    expect(text).toContain(`"status":"PROCESSING"`);
  });
});

describe("cancel, retry and the change stream, end to end with the real store and runner", () => {
  const summary = async (exportId: string) => json<ExportJobSummary>(await call(routes.getJob, { teamId: "t1", exportId }));

  it("cancels a running export: it fails as cancelled by the user with no CSV, and a retry then completes it", async () => {
    emulator.latencyMs = 3000; // every Tinybird answer is slow: the export is certainly running when cancelled
    let exportId: string;
    try {
      ({ exportId } = await json<{ exportId: string }>(await call(routes.createDocumentExport, { teamId: "t1", resourceId: "d1" })));
      await expect.poll(async () => (await summary(exportId)).status, { timeout: 10_000, interval: 50 }).toBe("PROCESSING");
      const cancelled = await call(routes.cancelJob, { teamId: "t1", exportId });
      expect(cancelled.status).toBe(200);
      const expected = { id: exportId, status: "FAILED", error: "Cancelled by user", cancelRequested: true };
      expect(await json<ExportJobSummary>(cancelled)).toMatchObject(expected);
      expect(await summary(exportId)).toMatchObject(expected);
      expect((await call(routes.downloadResult, { teamId: "t1", exportId })).status).toBe(409);
    } finally {
      emulator.latencyMs = 0;
    }
    const retried = await call(routes.retryJob, { teamId: "t1", exportId });
    expect(retried.status).toBe(200);
    const done = await completed("t1", exportId);
    expect(done).not.toHaveProperty("cancelRequested");
    expect(done.error).toBeUndefined();
    expect((await call(routes.downloadResult, { teamId: "t1", exportId })).status).toBe(200);
  });

  it("retries a failed export: it runs again from the start and completes with the CSV a clean run gives", async () => {
    const clean = await json<{ exportId: string }>(await call(routes.createDocumentExport, { teamId: "t1", resourceId: "d1" }));
    await completed("t1", clean.exportId);
    const expected = (await core.store.getResult(clean.exportId))!;

    emulator.queueFaults(Array.from({ length: 200 }, () => ({ kind: "malformed" as const })));
    let exportId: string;
    try {
      ({ exportId } = await json<{ exportId: string }>(await call(routes.createDocumentExport, { teamId: "t1", resourceId: "d1" })));
      await expect.poll(async () => (await summary(exportId)).status, { timeout: 30_000, interval: 100 }).toBe("FAILED");
    } finally {
      emulator.clearFaults();
    }
    const failed = await summary(exportId);
    expect(failed.error).toMatch(/\w{5,}/);
    expect(failed.error).not.toMatch(/^Cannot be retried/);

    const retried = await call(routes.retryJob, { teamId: "t1", exportId });
    expect(retried.status).toBe(200);
    const pending = await json<ExportJobSummary>(retried);
    expect(["PENDING", "PROCESSING"]).toContain(pending.status);
    expect(pending.error).toBeUndefined();
    const done = await completed("t1", exportId);
    expect(done.error).toBeUndefined();
    expect(await (await call(routes.downloadResult, { teamId: "t1", exportId })).text()).toBe(expected);
  });

  it("a client that disconnects from GET /api/events and reconnects gets the changes that happen after", async () => {
    const first = new AbortController();
    const before = await call(routes.events, {}, { signal: first.signal });
    const firstReader = before.body!.getReader();
    expect(new TextDecoder().decode((await firstReader.read()).value)).toContain(": connected");
    first.abort();

    const second = new AbortController();
    const again = await call(routes.events, {}, { signal: second.signal });
    expect(again.status).toBe(200);
    const reader = again.body!.getReader();
    const { exportId } = await json<{ exportId: string }>(await call(routes.createDocumentExport, { teamId: "t1", resourceId: "d1" }));
    let text = "";
    while (!text.includes(`"id":"${exportId}"`) || !text.includes(`"status":"COMPLETED"`)) text += new TextDecoder().decode((await reader.read()).value);
    second.abort();
    expect(text).toContain(": connected");
    expect(text).toMatch(new RegExp(`"id":"${exportId}"[^\\n]*"status":"COMPLETED"`));
  });
});

describe("finding what to export, checked at create", () => {
  type Page = { resources: { id: string; name: string; views: number }[]; total: number };

  it("searches a team's documents, datarooms and a dataroom's groups by name or id, with view counts, paged", async () => {
    const documents = await json<Page>(await call(routes.findResources, { teamId: "t1" }, { query: { type: "document" } }));
    expect(documents).toEqual({
      resources: [
        { id: "d3", name: "Financials", views: 3 },
        { id: "d4", name: "Only paused views", views: 1 },
        { id: "d1", name: "Pitch Deck", views: 6 },
      ],
      total: 3,
    });
    expect((await json<Page>(await call(routes.findResources, { teamId: "t1" }, { query: { type: "document", q: "pItCh" } }))).resources.map((r) => r.id)).toEqual(["d1"]);
    expect((await json<Page>(await call(routes.findResources, { teamId: "t1" }, { query: { type: "document", q: "d3" } }))).resources.map((r) => r.id)).toEqual(["d3"]);
    expect(await json<Page>(await call(routes.findResources, { teamId: "t1" }, { query: { type: "document", q: "%" } }))).toEqual({ resources: [], total: 0 }); // "%" is taken literally
    expect(await json<Page>(await call(routes.findResources, { teamId: "t1" }, { query: { type: "document", offset: 1, limit: 1 } }))).toEqual({ resources: [{ id: "d4", name: "Only paused views", views: 1 }], total: 3 });
    expect(await json<Page>(await call(routes.findResources, { teamId: "t1" }, { query: { type: "dataroom" } }))).toEqual({ resources: [{ id: "dr1", name: "Series A Room", views: 3 }], total: 1 });
    expect(await json<Page>(await call(routes.findResources, { teamId: "t1" }, { query: { type: "group", dataroomId: "dr1" } }))).toEqual({
      resources: [
        { id: "g2", name: "Advisors", views: 1 },
        { id: "g1", name: "Investors", views: 2 },
      ],
      total: 2,
    });
  });

  it("never shows another team's resources", async () => {
    expect((await call(routes.findResources, { teamId: "t1" }, { query: { type: "document" }, token: BOB })).status).toBe(404);
    const foreignRoom = await call(routes.findResources, { teamId: "t2" }, { query: { type: "group", dataroomId: "dr1" }, token: BOB });
    expect(foreignRoom.status).toBe(404);
    expect((await json<{ error: { message: string } }>(foreignRoom)).error.message).toBe("dataroom dr1 not found in team t2");
    expect((await json<Page>(await call(routes.findResources, { teamId: "t2" }, { query: { type: "document" }, token: BOB }))).resources.map((r) => r.id)).toEqual(["d2"]);
  });

  it("searches the caller's teams by name", async () => {
    expect(await json(await call(routes.findTeams, {}, { query: { q: "one" } }))).toEqual({ teams: [{ id: "t1", name: "Team One" }], total: 1 });
    expect(await json(await call(routes.findTeams, {}, { query: { q: "pro" } }))).toEqual({ teams: [], total: 0 }); // Team Pro is Bob's
    expect(await json(await call(routes.findTeams, {}, { token: BOB }))).toEqual({ teams: [{ id: "t2", name: "Team Pro" }], total: 1 });
  });

  it("answers 400 for a bad search", async () => {
    const resources = (query: RouteQuery) => routePath(routes.findResources, { teamId: "t1" }, query);
    for (const path of [
      resources({ type: "folder" }),
      resources({}),
      resources({ type: "group" }),
      resources({ type: "document", dataroomId: "dr1" }),
      resources({ type: "document", limit: 1000 }),
      resources({ type: "document", limit: -1 }),
      resources({ type: "document", evil: 1 }),
      `${resources({ type: "document" })}&q=a&q=b`,
      routePath(routes.findTeams, {}, { teamId: "t2" }),
    ]) {
      const response = await api(path);
      expect(response.status, path).toBe(400);
      expect((await json<{ error: { code: string } }>(response)).error.code).toBe("BAD_INPUT");
    }
  });

  it("refuses an unknown resource, another team's, or a group of another dataroom at create with a clear 404, creating nothing", async () => {
    const before = (await json<{ total: number }>(await call(routes.listJobs, { teamId: "t1" }))).total;
    const cases: [() => Promise<Response>, string][] = [
      [() => call(routes.createDocumentExport, { teamId: "t1", resourceId: "nope" }), "document nope not found in team t1"],
      [() => call(routes.createDataroomExport, { teamId: "t1", resourceId: "nope" }), "dataroom nope not found in team t1"],
      [() => call(routes.createGroupExport, { teamId: "t1", resourceId: "dr1", groupId: "nope" }), "group nope not found in dataroom dr1"],
      [() => call(routes.createDocumentExport, { teamId: "t2", resourceId: "d1" }, { token: BOB }), "document d1 not found in team t2"],
    ];
    for (const [create, message] of cases) {
      const response = await create();
      expect(response.status, message).toBe(404);
      expect(await json(response)).toEqual({ error: { code: "NOT_FOUND", message } });
    }
    expect((await json<{ total: number }>(await call(routes.listJobs, { teamId: "t1" }))).total).toBe(before);
    expect((await json<{ total: number }>(await call(routes.listJobs, { teamId: "t2" }, { token: BOB }))).total).toBe(0);
  });

  it("names the resource on the job as soon as it is created", async () => {
    const { job } = await json<{ job: ExportJobSummary }>(await call(routes.createGroupExport, { teamId: "t1", resourceId: "dr1", groupId: "g2" }));
    expect(job).toMatchObject({ status: "PENDING", resourceName: "Series A Room - Advisors" });
  });
});

describe("bad requests", () => {
  it("answers 400 with a JSON error for bad ids, bodies and queries", async () => {
    const create = routes.createDocumentExport;
    const document = (resourceId: string) => routePath(create, { teamId: "t1", resourceId });
    const post = { method: create.method };
    const cases: [string, RequestInit][] = [
      [document("a:b"), post],
      [document("../../etc"), post],
      [rawRoutePath(create, { teamId: "t1", resourceId: "%E0%A4%A" }), post],
      [document("d1"), { ...post, body: "{not json" }],
      [document("d1"), { ...post, body: "[]" }],
      [document("d1"), { ...post, body: '{"__proto__": {"admin": true}}' }],
      [document("d1"), { ...post, body: JSON.stringify({ pad: "x".repeat(20_000) }) }],
      [document("d1"), { ...post, body: JSON.stringify({ since: "2026-1-1" }) }],
      [document("d1"), { ...post, body: JSON.stringify({ since: "2026-02-01", until: "2026-01-31" }) }],
      [document("d1"), { ...post, body: JSON.stringify({ profile: "excel" }) }],
      [routePath(routes.listJobs, { teamId: "t1" }, { status: "DONE" }), {}],
      [routePath(routes.listJobs, { teamId: "t1" }, { limit: 100_000 }), {}],
      [routePath(routes.listJobs, { teamId: "t1" }, { evil: 1 }), {}],
      [routePath(routes.getJob, { teamId: "t1", exportId: "x\0y" }), {}],
      [routePath(routes.getJob, { teamId: "t1", exportId: "abc" }, { download: "yes" }), {}],
    ];
    for (const [path, init] of cases) {
      const response = await api(path, init);
      expect(response.status, path).toBe(400);
      const body = await json<{ error: { code: string; message: string } }>(response);
      expect(body.error.code).toBe("BAD_INPUT");
      expect(body.error.message.length).toBeGreaterThan(5);
    }
  });

  it("answers 404 for unknown endpoints and 405 for wrong methods", async () => {
    expect((await api(`${API_PREFIX}/nothing`)).status).toBe(404);
    const wrong = await api(routePath(routes.createDocumentExport, { teamId: "t1", resourceId: "d1" }), { method: "GET" });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("POST");
  });
});

describe("the audit trail", () => {
  type AuditPage = { entries: { at: string; actor: string; action: string; jobId: string; resourceId?: string }[]; total: number; unreadable: number };

  it("records who created and deleted an export, not a refused cancel, and lists it per team and per export", async () => {
    const { exportId } = await json<{ exportId: string }>(await call(routes.createDocumentExport, { teamId: "t1", resourceId: "d1" }));
    await completed("t1", exportId);
    expect((await call(routes.cancelJob, { teamId: "t1", exportId })).status).toBe(409);
    expect((await call(routes.deleteJob, { teamId: "t1", exportId })).status).toBe(200);
    const ofJob = await json<AuditPage>(await call(routes.listAudit, { teamId: "t1" }, { query: { jobId: exportId } }));
    expect(ofJob.entries.map((entry) => [entry.action, entry.actor, entry.jobId, entry.resourceId])).toEqual([
      ["deleted", "alice", exportId, "d1"],
      ["created", "alice", exportId, "d1"],
    ]);
    expect(ofJob.total).toBe(2);
    const page = await json<AuditPage>(await call(routes.listAudit, { teamId: "t1" }, { query: { limit: 1 } }));
    expect(page.entries).toEqual([ofJob.entries[0]]);
    expect(page.total).toBeGreaterThanOrEqual(2);
  });

  it("hides another team's trail and answers 400 for a bad query", async () => {
    expect((await call(routes.listAudit, { teamId: "t1" }, { token: BOB })).status).toBe(404);
    for (const query of ["?limit=0", "?limit=x", "?jobId=bad%20id", "?who=me"]) {
      const response = await api(`${routePath(routes.listAudit, { teamId: "t1" })}${query}`);
      expect(response.status, query).toBe(400);
      expect((await json<{ error: { code: string } }>(response)).error.code).toBe("BAD_INPUT");
    }
  });
});
