import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { routes } from "../../shared/routes";
import { settingsSchema, type Settings } from "../../shared/settings";
import { startConsoleCore, type ConsoleCore } from "../../electron/core/console-core";
import { ApiAuth } from "../../electron/headless/server/api-auth";
import { startHttpServer, type RunningServer } from "../../electron/headless/server/http-server";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../electron/dev/embedded-postgres";
import { seedSmallDataset } from "../fixtures/small-dataset";
import { httpTransport } from "../../renderer/src/api/http-transport";
import { TestRedisServer, freePort, testPrefix } from "../helpers/redis-server";
import { routeRequests } from "../helpers/route-requests";

/*
 * Issue 10: faults found by a hostile run against the REST API, kept as regression tests.
 * An API-only core (no runner; PGlite for the checks at create): records are written straight into
 * Redis the way Papermark's web app and broken writers leave them.
 */

const ALICE = "alice-token-0123456789"; // team t1
const BOB = "bob-token-0123456789ab"; // team t2

let server: TestRedisServer;
let redis: Redis;
let core: ConsoleCore;
let http: RunningServer;
let prefix: string;
let settings: Settings;
let db: EmbeddedPostgres;

beforeAll(async () => {
  server = await TestRedisServer.start();
  redis = server.client();
  settings = settingsSchema.parse({
    redisUrl: server.url,
    databaseUrl: `postgres://postgres@127.0.0.1:${await freePort()}/unused`,
    tinybirdHost: "http://127.0.0.1:9",
    tinybirdToken: "tb",
  });
  prefix = testPrefix();
  // Papermark's data for the checks at create (no runner: nothing is exported here).
  db = await startEmbeddedPostgres();
  await seedSmallDataset(db);
  core = await startConsoleCore(settings, { runner: false, sql: db.sql, prefix, bullPrefix: `${prefix}bull` });
  http = await startHttpServer({
    service: core.service,
    auth: new ApiAuth({ [ALICE]: { userId: "alice", teams: ["t1"] }, [BOB]: { userId: "bob", teams: ["t2"] } }),
    settings,
    status: () => core.status(),
    onChange: (listener) => core.onChange(listener),
  });
});
afterAll(async () => {
  await http?.close();
  await core?.stop();
  await db?.sql.close();
  redis?.disconnect();
  await server?.close();
});

const call = routeRequests(() => http.url, ALICE);

interface ErrorBody {
  error: { code: string; message: string };
  location?: string;
}

let counter = 0;
/** A record as Papermark's web app writes it: a JSON string, indexed by team and user. */
async function webAppRecord(fields: Record<string, unknown>): Promise<string> {
  const id = `web_${++counter}_${Date.now()}`;
  const now = new Date().toISOString();
  const record = { id, type: "document", status: "COMPLETED", resourceId: "d1", userId: "alice", teamId: "t1", createdAt: now, updatedAt: now, groupId: null, error: null, ...fields };
  await redis.set(`${prefix}export_job:${id}`, JSON.stringify(record), "EX", 600);
  await redis.zadd(`${prefix}team_jobs:${record.teamId}`, Date.now(), id);
  await redis.zadd(`${prefix}user_jobs:${record.userId}`, Date.now(), id);
  return id;
}

const BLOB_URL = "https://abc123.public.blob.vercel-storage.com/visits/export-visits-d1.csv";

describe("web-app records (item 6)", () => {
  it("answers a download of a CSV kept in blob storage with its URL, not as a CSV", async () => {
    const id = await webAppRecord({ result: BLOB_URL, completedAt: new Date().toISOString() });
    const response = await call(routes.downloadResult, { teamId: "t1", exportId: id });
    expect(response.status).toBe(409);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.code).toBe("RESULT_ELSEWHERE");
    expect(body.error.message).toBe(`export ${id} was made by Papermark's web app, which keeps its CSV at ${BLOB_URL}`);
    expect(body.location).toBe(BLOB_URL);
  });

  it("still downloads a web-app record whose result is the CSV itself", async () => {
    const csv = "Viewed at,Name\n2026-01-01,Ann\n";
    const id = await webAppRecord({ result: csv, completedAt: new Date().toISOString() });
    const response = await call(routes.downloadResult, { teamId: "t1", exportId: id });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(await response.text()).toBe(csv);
  });

  it.each(["PROCESSING", "PENDING"])("refuses to delete a %s web-app record, as it refuses to cancel it", async (status) => {
    const id = await webAppRecord({ status });
    const cancel = await call(routes.cancelJob, { teamId: "t1", exportId: id });
    expect(cancel.status).toBe(409);
    const removal = await call(routes.deleteJob, { teamId: "t1", exportId: id });
    expect(removal.status).toBe(409);
    const body = (await removal.json()) as ErrorBody;
    expect(body.error).toEqual({ code: "FOREIGN_RECORD", message: `export ${id} was created by Papermark's web app and is still ${status}: its runner manages it, so it can be deleted once it has finished` });
    expect(await redis.exists(`${prefix}export_job:${id}`)).toBe(1);
    expect(await redis.zscore(`${prefix}team_jobs:t1`, id)).not.toBeNull();
  });

  it("deletes a finished web-app record", async () => {
    const id = await webAppRecord({ status: "COMPLETED", result: BLOB_URL });
    expect((await call(routes.deleteJob, { teamId: "t1", exportId: id })).status).toBe(200);
    expect(await redis.exists(`${prefix}export_job:${id}`)).toBe(0);
  });
});

describe("downloads that have no CSV (item 12)", () => {
  it("says a FAILED export failed, and why, instead of 'there is no CSV yet'", async () => {
    const job = await core.store.create({ type: "document", teamId: "t1", userId: "alice", resourceId: "d1" });
    await core.store.transition(job.id, "FAILED", { patch: { error: "Tinybird refused the token (403)" } });
    const response = await call(routes.downloadResult, { teamId: "t1", exportId: job.id });
    expect(response.status).toBe(409);
    const body = (await response.json()) as ErrorBody;
    expect(body.error).toEqual({ code: "CONFLICT", message: `export ${job.id} failed, so it has no CSV: Tinybird refused the token (403)` });
  });

  it("says a PENDING export has no CSV yet", async () => {
    const job = await core.store.create({ type: "document", teamId: "t1", userId: "alice", resourceId: "d1" });
    const body = (await (await call(routes.downloadResult, { teamId: "t1", exportId: job.id })).json()) as ErrorBody;
    expect(body.error).toEqual({ code: "CONFLICT", message: `export ${job.id} is PENDING, not COMPLETED: there is no CSV yet` });
  });
});

describe("store faults through REST (items 3, 4, 5)", () => {
  it("answers a create that cannot be indexed with a clear error and writes nothing", async () => {
    await redis.set(`${prefix}user_jobs:carol`, "not an index");
    const before = (await redis.keys(`${prefix}export_job:*`)).sort(); // KEYS has no order
    const carol = await startHttpServer({
      service: core.service,
      auth: new ApiAuth({ "carol-token-0123456789": { userId: "carol", teams: ["t1"] } }),
      settings,
      status: () => core.status(),
      onChange: (listener) => core.onChange(listener),
    });
    try {
      const response = await routeRequests(() => carol.url, "carol-token-0123456789")(routes.createDocumentExport, { teamId: "t1", resourceId: "d1" });
      expect(response.status).toBe(500);
      expect(((await response.json()) as ErrorBody).error).toEqual({ code: "MALFORMED_RECORD", message: `${prefix}user_jobs:carol holds a string, not a job index: nothing was written` });
      expect((await redis.keys(`${prefix}export_job:*`)).sort()).toEqual(before);
    } finally {
      await carol.close();
      await redis.del(`${prefix}user_jobs:carol`);
    }
  });

  it("deletes a malformed record of the caller's team, and only of its team", async () => {
    const id = `bad_${Date.now()}`;
    await redis.hset(`${prefix}export_job:${id}`, { id, type: "spreadsheet", status: "PROCESSING", teamId: "t1", userId: "alice" });
    await redis.zadd(`${prefix}team_jobs:t1`, Date.now(), id);
    const listed = (await (await call(routes.listJobs, { teamId: "t1" })).json()) as { malformed: { id: string }[] };
    expect(listed.malformed.map((m) => m.id)).toContain(id);

    expect((await call(routes.deleteJob, { teamId: "t2", exportId: id }, { token: BOB })).status).toBe(404);
    expect(await redis.exists(`${prefix}export_job:${id}`)).toBe(1);

    const removal = await call(routes.deleteJob, { teamId: "t1", exportId: id });
    expect(removal.status).toBe(200);
    expect(await removal.json()).toEqual({ deleted: true });
    expect(await redis.exists(`${prefix}export_job:${id}`)).toBe(0);
    const after = (await (await call(routes.listJobs, { teamId: "t1" })).json()) as { malformed: { id: string }[] };
    expect(after.malformed.map((m) => m.id)).not.toContain(id);
  });

  it("deletes a malformed record without a team only from a team whose index lists it", async () => {
    const id = `bad_noteam_${Date.now()}`;
    await redis.set(`${prefix}export_job:${id}`, "<html>oops</html>");
    await redis.zadd(`${prefix}team_jobs:t1`, Date.now(), id);
    expect((await call(routes.deleteJob, { teamId: "t2", exportId: id }, { token: BOB })).status).toBe(404);
    expect((await call(routes.deleteJob, { teamId: "t1", exportId: id })).status).toBe(200);
    expect(await redis.exists(`${prefix}export_job:${id}`)).toBe(0);
    expect(await redis.zscore(`${prefix}team_jobs:t1`, id)).toBeNull();
  });
});

describe("per-token request limit (item 9)", () => {
  it("answers 429 with Retry-After once a token used its requests, other tokens unaffected", async () => {
    const limited = await startHttpServer({
      service: core.service,
      auth: new ApiAuth({ [ALICE]: { userId: "alice", teams: ["t1"] }, [BOB]: { userId: "bob", teams: ["t2"] } }),
      settings,
      status: () => core.status(),
      onChange: (listener) => core.onChange(listener),
      requestLimit: { requests: 3, perMs: 60_000 },
    });
    try {
      const me = (token: string) => routeRequests(() => limited.url, token)(routes.me, {});
      for (let i = 0; i < 3; i++) expect((await me(ALICE)).status).toBe(200);
      const refused = await me(ALICE);
      expect(refused.status).toBe(429);
      const retryAfter = Number(refused.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(((await refused.json()) as ErrorBody).error).toEqual({ code: "RATE_LIMITED", message: `too many requests with this token: try again in ${retryAfter} s` });
      expect((await me(BOB)).status).toBe(200);
      // The console (browser mode) gets the code and the wait, and shows the message.
      await expect(httpTransport(limited.url, ALICE).listJobs({ filter: { teamId: "t1" }, page: {} })).rejects.toMatchObject({
        code: "RATE_LIMITED",
        message: expect.stringMatching(/^too many requests with this token: try again in \d+ s$/),
      });
    } finally {
      await limited.close();
    }
  });
});
