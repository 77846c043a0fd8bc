import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExportJobSummary, JobListResult } from "../../shared/job";
import { routes } from "../../shared/routes";
import { settingsSchema } from "../../shared/settings";
import { startConsoleCore, type ConsoleCore } from "../../electron/core/console-core";
import { ApiAuth } from "../../electron/headless/server/api-auth";
import { startHttpServer, type RunningServer } from "../../electron/headless/server/http-server";
import { TinybirdEmulator } from "../../electron/dev/tinybird-emulator/tinybird-emulator";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../electron/dev/embedded-postgres";
import { seedSmallDataset, smallEmulatorData } from "../fixtures/small-dataset";
import { TestRedisServer, testPrefix } from "../helpers/redis-server";
import { routeRequests } from "../helpers/route-requests";

// What support staff need from the REST API: what a job did, cancelled apart from failed,
// search by the pasted resource id, and the server's settings without its secrets.
const TOKEN = "support-token-0123456789";
const TINYBIRD_TOKEN = "tb-secret-token-xyz";

let redis: TestRedisServer;
let db: EmbeddedPostgres;
let emulator: TinybirdEmulator;
let core: ConsoleCore;
let server: RunningServer;
let redisUrl: string;

beforeAll(async () => {
  redis = await TestRedisServer.start();
  db = await startEmbeddedPostgres();
  await seedSmallDataset(db);
  emulator = new TinybirdEmulator({ token: TINYBIRD_TOKEN, data: smallEmulatorData });
  await emulator.start();
  redisUrl = redis.url;
  const settings = settingsSchema.parse({
    redisUrl,
    databaseUrl: "postgres://reader:db-password-123@db.internal/papermark",
    tinybirdHost: emulator.url,
    tinybirdToken: TINYBIRD_TOKEN,
    mode: "batch",
    limiter: { maxConcurrent: 4, minTime: 0 },
    runner: { concurrency: 2, timeoutMs: 60_000, attempts: 2, backoffMs: 100 },
    jobTtlSeconds: 3600,
    csv: { neutraliseFormulas: true, bom: true },
  });
  const prefix = testPrefix();
  core = await startConsoleCore(settings, { runner: true, sql: db.sql, prefix, bullPrefix: `${prefix}bull` });
  server = await startHttpServer({
    service: core.service,
    auth: new ApiAuth({ [TOKEN]: { userId: "sam", teams: ["t1"] } }),
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

const call = routeRequests(() => server.url, TOKEN);

/** The JSON of an answer with the expected status (202 for a create). */
async function ok<T>(request: Promise<Response>, status = 200): Promise<T> {
  const response = await request;
  expect(response.status).toBe(status);
  return (await response.json()) as T;
}

async function completed(exportId: string): Promise<ExportJobSummary> {
  let job: ExportJobSummary | undefined;
  await expect
    .poll(async () => (job = await ok<ExportJobSummary>(call(routes.getJob, { teamId: "t1", exportId }))).status, { timeout: 30_000, interval: 300 })
    .toBe("COMPLETED");
  return job!;
}

describe("what a job did", () => {
  it("reports when the run started, the rows and bytes of the file, and the exporter's warnings", async () => {
    const { exportId } = await ok<{ exportId: string }>(call(routes.createDataroomExport, { teamId: "t1", resourceId: "dr1" }), 202);
    const job = await completed(exportId);
    const file = Buffer.from(await (await call(routes.downloadResult, { teamId: "t1", exportId })).arrayBuffer());
    expect(job.startedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(job.rows).toBe(file.toString("utf8").trimEnd().split("\n").length - 1);
    expect(job.bytes).toBe(file.length); // the BOM included
    expect(job.warnings).toEqual([expect.stringMatching(/^2 document view\(s\) were left out because their dataroom visit is not part of this export/)]);
  });

  it("lists cancelled exports apart from failed ones (status=CANCELLED, status=FAILED)", async () => {
    const failing = await ok<{ exportId: string }>(call(routes.createDocumentExport, { teamId: "t1", resourceId: "d4" }), 202); // no views: fails
    await expect.poll(async () => (await ok<ExportJobSummary>(call(routes.getJob, { teamId: "t1", exportId: failing.exportId }))).status, { timeout: 15_000 }).toBe("FAILED");
    emulator.latencyMs = 2000; // keeps the next one running until it is cancelled
    try {
      const running = await ok<{ exportId: string }>(call(routes.createDocumentExport, { teamId: "t1", resourceId: "d1" }), 202);
      const cancelled = await ok<ExportJobSummary>(call(routes.cancelJob, { teamId: "t1", exportId: running.exportId }));
      expect(cancelled).toMatchObject({ status: "FAILED", cancelRequested: true });
      const cancelledList = await ok<JobListResult>(call(routes.listJobs, { teamId: "t1" }, { query: { status: "CANCELLED" } }));
      expect(cancelledList.jobs.map((job) => job.id)).toEqual([running.exportId]);
      const failedList = await ok<JobListResult>(call(routes.listJobs, { teamId: "t1" }, { query: { status: "FAILED" } }));
      expect(failedList.jobs.map((job) => job.id)).toEqual([failing.exportId]);
    } finally {
      emulator.latencyMs = 0;
    }
  });

  it("finds exports by the resource id support staff paste", async () => {
    const { exportId } = await ok<{ exportId: string }>(call(routes.createGroupExport, { teamId: "t1", resourceId: "dr1", groupId: "g2" }), 202);
    await completed(exportId);
    const byResource = await ok<JobListResult>(call(routes.listJobs, { teamId: "t1" }, { query: { search: "DR1" } }));
    expect(byResource.jobs.map((job) => job.resourceId)).not.toContain("d1");
    expect(byResource.jobs.map((job) => job.id)).toContain(exportId);
    const byGroup = await ok<JobListResult>(call(routes.listJobs, { teamId: "t1" }, { query: { search: "g2" } }));
    expect(byGroup.jobs.map((job) => job.id)).toContain(exportId);
    // Search also matches ids, which are random: another export may hold "g2" in its id (about 1 in 10 runs did).
    expect(byGroup.jobs.filter((job) => job.id !== exportId && !job.id.toLowerCase().includes("g2"))).toEqual([]);
  });
});

describe("GET /api/settings", () => {
  it("shows the server's current values (mode, limits, TTL, CSV options) and never a secret", async () => {
    const response = await call(routes.getSettings, {});
    expect(response.status).toBe(200);
    const text = await response.text();
    const view = JSON.parse(text) as { values: Record<string, unknown> };
    expect(view.values).toMatchObject({
      tinybirdHost: emulator.url,
      mode: "batch",
      limiter: { maxConcurrent: 4, minTime: 0 },
      runner: { concurrency: 2, timeoutMs: 60_000, attempts: 2, backoffMs: 100 },
      jobTtlSeconds: 3600,
      csv: { neutraliseFormulas: true, bom: true },
    });
    for (const secret of [TINYBIRD_TOKEN, "db-password-123", "db.internal", redisUrl]) expect(text).not.toContain(secret);
    expect(Object.keys(view)).not.toContain("redisUrl");
    expect(Object.keys(view)).not.toContain("databaseUrl");
  });

  it("needs a token like every other endpoint", async () => {
    expect((await call(routes.getSettings, {}, { token: null })).status).toBe(401);
  });
});
