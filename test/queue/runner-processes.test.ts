import type { ChildProcess } from "node:child_process";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { JobChange, JobStatus } from "../../shared/job";
import { subscribeToJobChanges, type JobChangeSubscription } from "../../electron/jobs/job-events";
import { JobStore } from "../../electron/jobs/job-store";
import { ExportQueue } from "../../electron/queue/export-queue";
import { ExportService } from "../../electron/queue/export-service";
import { TinybirdEmulator } from "../../electron/tinybird/tinybird-emulator";
import { seedSmallDataset, smallEmulatorData } from "../fixtures/small-dataset";
import { EXPECTED_DOCUMENT } from "../fixtures/small-dataset-expected";
import { createTestDatabase, type TestDatabase } from "../helpers/postgres-database";
import { TestRedisServer } from "../helpers/redis-server";
import { startWorkerProcess, type WorkerProcess } from "../helpers/worker-process";

/*
 * Runners as separate processes (`npm run worker`), sharing one Redis: killed with SIGKILL
 * mid-job, running side by side under one clustered limit, and Redis restarting under them.
 * Each test gets its own redis-server (the worker uses the production key names).
 */

let database: TestDatabase;
let emulator: TinybirdEmulator;
let redisServer: TestRedisServer;
let redis: Redis;
let store: JobStore;
let queue: ExportQueue;
let service: ExportService;
let changes: JobChange[];
let subscription: JobChangeSubscription;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase("runners", seedSmallDataset);
  emulator = new TinybirdEmulator({ token: "tb", data: smallEmulatorData });
  await emulator.start();
});
afterAll(async () => {
  await emulator.stop();
  await database.drop();
});
beforeEach(async () => {
  redisServer = await TestRedisServer.start({ persistent: true });
  redis = redisServer.client();
  store = new JobStore(redis);
  queue = new ExportQueue({ connection: redisServer.bullConnection });
  service = new ExportService(store, queue, redis);
  changes = [];
  subscription = await subscribeToJobChanges(redis, store.keys, (change) => changes.push(change));
  emulator.log.length = 0;
});
afterEach(async () => {
  for (const worker of workers.splice(0)) worker.kill("SIGKILL");
  emulator.latencyMs = 0;
  await subscription.close();
  await queue.close().catch(() => undefined);
  redis.disconnect();
  await redisServer.close();
});

function startWorker(env: Record<string, string> = {}): WorkerProcess {
  const worker = startWorkerProcess({
    REDIS_URL: redisServer.url,
    DATABASE_URL: database.url,
    TINYBIRD_HOST: emulator.url,
    TINYBIRD_TOKEN: "tb",
    EXPORT_MODE: "per-view",
    LIMIT_MIN_TIME: "0",
    RUNNER_LOCK_MS: "2000",
    // A killed runner's limiter slots are freed when its requests expire (timeout + 5 s).
    TINYBIRD_TIMEOUT_MS: "2000",
    EXPORT_BACKOFF_MS: "200",
    ...env,
  });
  workers.push(worker.process);
  return worker;
}

async function waitFor(id: string, statuses: JobStatus[], timeout = 30_000): Promise<JobStatus> {
  let status: JobStatus | undefined;
  await expect
    .poll(
      async () => {
        status = (await store.getSummary(id))?.status;
        return status !== undefined && statuses.includes(status);
      },
      { timeout, interval: 100 },
    )
    .toBe(true);
  return status!;
}

/** First claims of a fresh record (PENDING -> PROCESSING before any total is known). */
const claims = (id: string) => changes.filter((c) => c.id === id && c.status === "PROCESSING" && c.progress === 0 && c.total === undefined).length;

describe("runner processes", () => {
  it("a runner killed with SIGKILL mid-job: another runner completes it, with no duplicate rows", async () => {
    // 10 Tinybird calls of 300 ms one at a time: the export takes 3 s, the kill comes at about 0.5 s.
    emulator.latencyMs = 300;
    const first = startWorker({ LIMIT_MAX_CONCURRENT: "1" });
    await expect.poll(first.output, { timeout: 20_000 }).toContain("worker running");
    const job = await service.create({ type: "document", teamId: "t1", resourceId: "d1" }, "user_1", null);
    await waitFor(job.id, ["PROCESSING"]);
    await expect.poll(() => emulator.log.length, { timeout: 10_000, interval: 20 }).toBeGreaterThan(0);
    first.process.kill("SIGKILL");
    emulator.latencyMs = 20;
    const second = startWorker();
    expect(await waitFor(job.id, ["COMPLETED", "FAILED"], 45_000)).toBe("COMPLETED");
    expect(await store.getResult(job.id)).toBe(EXPECTED_DOCUMENT);
    expect(second.output()).toContain(`export ${job.id}: completed`);
    expect(first.output()).not.toContain("completed");
  }, 90_000);

  it("two runners share one queue and one Tinybird limit: each job runs once, the limit holds", async () => {
    emulator.latencyMs = [20, 60];
    const env = { LIMIT_MAX_CONCURRENT: "2", LIMIT_MIN_TIME: "40", RUNNER_CONCURRENCY: "2" };
    const a = startWorker(env);
    const b = startWorker(env);
    await expect.poll(() => a.output() + b.output(), { timeout: 20_000 }).toMatch(/worker running[\s\S]*worker running/);
    const jobs = await Promise.all(
      [
        { type: "document", teamId: "t1", resourceId: "d1" },
        { type: "dataroom", teamId: "t1", resourceId: "dr1" },
        { type: "document", teamId: "t2", resourceId: "d2" },
        { type: "dataroom-group", teamId: "t1", resourceId: "dr1", groupId: "g1" },
      ].map((request) => service.create(request, "user_1", null)),
    );
    for (const job of jobs) expect(await waitFor(job.id, ["COMPLETED", "FAILED"], 60_000)).toBe("COMPLETED");
    for (const job of jobs) expect(claims(job.id)).toBe(1);
    expect(emulator.log.every((entry) => entry.status === 200)).toBe(true);
    expect(emulator.maxInFlight()).toBeLessThanOrEqual(2);
    expect(emulator.minStartGap()).toBeGreaterThanOrEqual(40);
    const ran = [a.output(), b.output()].map((out) => (out.match(/: completed/g) ?? []).length);
    expect(ran[0]! + ran[1]!).toBe(4);
  }, 90_000);

  it("Redis restarted mid-export: the job still ends, completed with the right CSV or failed with an error", async () => {
    emulator.latencyMs = 150;
    const worker = startWorker();
    await expect.poll(worker.output, { timeout: 20_000 }).toContain("worker running");
    const job = await service.create({ type: "document", teamId: "t1", resourceId: "d1" }, "user_1", null);
    await expect.poll(async () => (await store.getSummary(job.id))?.progress ?? 0, { timeout: 20_000, interval: 50 }).toBeGreaterThan(0);
    await redisServer.stop();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await redisServer.restart();
    const outcome = await waitFor(job.id, ["COMPLETED", "FAILED"], 60_000);
    const { job: finished } = (await store.get(job.id))!;
    if (outcome === "COMPLETED") expect(finished.result).toBe(EXPECTED_DOCUMENT);
    else expect(finished.error).toMatch(/\w{5,}/);
    expect(worker.process.exitCode).toBeNull(); // the worker survived the outage
  }, 90_000);
});
