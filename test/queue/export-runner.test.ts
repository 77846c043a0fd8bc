import { Worker } from "bullmq";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EXPORT_QUEUE_NAME } from "../../electron/core/queue/export-queue";
import { MAX_STALLED_COUNT, stalledTooOftenMessage } from "../../electron/core/queue/export-runner";
import type { ExportService } from "../../electron/core/queue/export-service";
import type { JobChange, JobStatus } from "../../shared/job";
import { subscribeToJobChanges, type JobChangeSubscription } from "../../electron/core/jobs/job-events";
import { PIPES } from "../../electron/core/tinybird/pipes";
import { TinybirdEmulator } from "../../electron/dev/tinybird-emulator/tinybird-emulator";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../electron/dev/embedded-postgres";
import { seedSmallDataset, smallEmulatorData } from "../fixtures/small-dataset";
import { ExportStack } from "../helpers/export-stack";
import { TestRedisServer } from "../helpers/redis-server";

let server: TestRedisServer;
let db: EmbeddedPostgres;
let emulator: TinybirdEmulator;
let stack: ExportStack;
let service: ExportService;
let changes: JobChange[];
let subscription: JobChangeSubscription;

const DOCUMENT = { type: "document", teamId: "t1", resourceId: "d1" } as const;

beforeAll(async () => {
  server = await TestRedisServer.start();
  db = await startEmbeddedPostgres();
  await seedSmallDataset(db);
  emulator = new TinybirdEmulator({ token: "tb", data: smallEmulatorData });
  await emulator.start();
});
afterAll(async () => {
  await emulator.stop();
  await db.sql.close();
  await server.close();
});
beforeEach(async () => {
  stack = new ExportStack({ server, sql: db.sql, emulator });
  service = stack.service();
  changes = [];
  subscription = await subscribeToJobChanges(stack.redis, stack.store.keys, (change) => changes.push(change));
});
afterEach(async () => {
  emulator.latencyMs = 0;
  emulator.clearFaults();
  await subscription.close();
  await stack.close();
});

async function waitForStatus(id: string, status: JobStatus, timeout = 15_000) {
  await expect.poll(async () => (await stack.store.getSummary(id))?.status, { timeout, interval: 50 }).toBe(status);
  return (await stack.store.get(id))!.job;
}

const statusesOf = (id: string) =>
  changes.filter((c) => c.id === id && c.status).map((c) => c.status!).filter((s, i, all) => i === 0 || s !== all[i - 1]);

describe("lifecycle", () => {
  it("runs an export from PENDING to COMPLETED with progress and the CSV", async () => {
    await stack.runner().start();
    const job = await service.create(DOCUMENT, "user_1", null);
    expect(job.status).toBe("PENDING");
    const done = await waitForStatus(job.id, "COMPLETED");
    expect(done.result!.split("\n")).toHaveLength(6); // header + 5 views
    expect(done.result!.startsWith("Viewed at,Name,")).toBe(true);
    expect(done).toMatchObject({ progress: 5, total: 5, attempts: 1, resourceName: "Pitch Deck" });
    expect(done.completedAt).toBeDefined();
    // what the job did: when its run started, the rows and bytes of the file, no warnings
    expect(done).toMatchObject({ rows: 5, bytes: Buffer.byteLength(done.result!) });
    expect(Date.parse(done.startedAt!)).toBeGreaterThanOrEqual(Date.parse(job.createdAt));
    expect(Date.parse(done.startedAt!)).toBeLessThanOrEqual(Date.parse(done.completedAt!));
    expect(done.warnings).toBeUndefined();
    expect(done.error).toBeUndefined();
    expect(statusesOf(job.id)).toEqual(["PENDING", "PROCESSING", "COMPLETED"]);
    // the streamed partial CSV was moved into the record, not left behind
    expect(await stack.redis.keys(`${stack.prefix}export_partial:*`)).toEqual([]);
  });

  it("records the enrichment mode that ran and why", async () => {
    await stack.runner().start();
    const batch = await waitForStatus((await service.create(DOCUMENT, "user_1", null)).id, "COMPLETED");
    expect(batch).toMatchObject({ mode: "batch", modeReason: "set in the configuration" });
    // auto, on a Tinybird whose token may not run SQL (this emulator has no Query API)
    const autoStack = new ExportStack({ server, sql: db.sql, emulator, mode: "auto" });
    try {
      await autoStack.runner().start();
      const id = (await autoStack.service().create(DOCUMENT, "user_1", null)).id;
      await expect.poll(async () => (await autoStack.store.getSummary(id))?.status, { timeout: 15_000, interval: 50 }).toBe("COMPLETED");
      const auto = (await autoStack.store.get(id))!.job;
      expect(auto).toMatchObject({ mode: "batch", modeReason: "Query API refused (403): using batch" });
      expect(auto.result).toBe(batch.result);
    } finally {
      await autoStack.close();
    }
  });

  it("stores the exporter's warnings on the job (document views left out of a dataroom export)", async () => {
    await stack.runner().start();
    const job = await service.create({ type: "dataroom", teamId: "t1", resourceId: "dr1" }, "user_1", null);
    const done = await waitForStatus(job.id, "COMPLETED");
    expect(done.warnings).toEqual([expect.stringMatching(/^2 document view\(s\) were left out because their dataroom visit is not part of this export/)]);
    // progress counts views (2 sessions + 2 document views); the file has one row fewer
    expect(done).toMatchObject({ progress: 4, total: 4, rows: done.result!.trimEnd().split("\n").length - 1 });
    expect(done.rows).not.toBe(done.total);
  });

  it("lists where each pending export stands in the queue, next to run first", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await service.create(DOCUMENT, "user_1", null)).id);
    const waiting = await service.list({ teamId: "t1" }, {}, null);
    expect(waiting.queuePositions).toEqual({ [ids[0]!]: 1, [ids[1]!]: 2, [ids[2]!]: 3 });
    await service.cancel(ids[0], "user_1", null);
    expect((await service.list({ teamId: "t1" }, {}, null)).queuePositions).toEqual({ [ids[1]!]: 1, [ids[2]!]: 2 });
    // once nothing waits, a listing carries no positions
    await stack.runner().start();
    for (const id of ids.slice(1)) await waitForStatus(id, "COMPLETED");
    expect((await service.list({ teamId: "t1" }, {}, null)).queuePositions).toBeUndefined();
  });

  it("retries a failed attempt without showing FAILED, then succeeds", async () => {
    await stack.runner().start();
    emulator.queueFaults([{ kind: "status", status: 503 }], PIPES.dataroomViewDocumentStats);
    const job = await service.create(DOCUMENT, "user_1", null);
    const done = await waitForStatus(job.id, "COMPLETED");
    expect(done.attempts).toBe(2);
    expect(statusesOf(job.id)).toEqual(["PENDING", "PROCESSING", "PENDING", "PROCESSING", "COMPLETED"]);
  });

  it("records the Tinybird calls an export spent, across its attempts", async () => {
    await stack.runner().start();
    emulator.log.length = 0;
    emulator.queueFaults([{ kind: "status", status: 503 }], PIPES.dataroomViewDocumentStats);
    const job = await service.create(DOCUMENT, "user_1", null);
    const done = await waitForStatus(job.id, "COMPLETED");
    expect(done.attempts).toBe(2);
    // Every request either attempt sent, the failed one included.
    expect(emulator.log.length).toBeGreaterThan(1);
    expect(done.tinybirdCalls).toBe(emulator.log.length);
    expect((await service.get(job.id, null)).tinybirdCalls).toBe(emulator.log.length);
  });

  it("fails with the error text once attempts are exhausted", async () => {
    await stack.runner().start();
    // One stats query per attempt in batch mode: each attempt meets one 500.
    emulator.queueFaults(Array.from({ length: 3 }, () => ({ kind: "status" as const, status: 500 })), PIPES.dataroomViewDocumentStats);
    const job = await service.create(DOCUMENT, "user_1", null);
    const failed = await waitForStatus(job.id, "FAILED");
    expect(failed.error).toMatch(/HTTP 500/);
    expect(failed.attempts).toBe(3);
    expect(statusesOf(job.id)).toEqual(["PENDING", "PROCESSING", "PENDING", "PROCESSING", "PENDING", "PROCESSING", "FAILED"]);
  });

  it("fails at once, for good, when a retry cannot help (no views)", async () => {
    await stack.runner().start();
    const job = await service.create({ ...DOCUMENT, resourceId: "d4" }, "user_1", null); // its one view is paused
    const failed = await waitForStatus(job.id, "FAILED");
    expect(failed.error).toBe("Cannot be retried: document d4 has no views to export");
    expect(failed.attempts).toBe(1);
    await expect(service.retry(job.id, "user_1", null)).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringMatching(/cannot be retried/) });
    expect((await stack.store.getSummary(job.id))?.status).toBe("FAILED");
  });

  it("fails for good when the resource is gone by the time the export runs", async () => {
    await stack.runner().start();
    // Created elsewhere (or deleted since): the record exists, the document does not.
    const job = await stack.store.create({ ...DOCUMENT, resourceId: "deleted_doc", userId: "user_1" });
    await stack.queue.enqueue(job.id);
    const failed = await waitForStatus(job.id, "FAILED");
    expect(failed.error).toBe("Cannot be retried: document deleted_doc not found in team t1");
    expect(failed.attempts).toBe(1);
  });

  it("refuses an unknown resource, another team's resource or a group of another dataroom at create, writing nothing", async () => {
    const refused = async (request: Record<string, unknown>) => service.create(request, "user_1", null).then(() => null, (error: unknown) => error);
    expect(await refused({ ...DOCUMENT, resourceId: "missing" })).toMatchObject({ code: "NOT_FOUND", message: "document missing not found in team t1" });
    expect(await refused({ type: "document", teamId: "t2", resourceId: "d1" })).toMatchObject({ code: "NOT_FOUND", message: "document d1 not found in team t2" });
    expect(await refused({ type: "dataroom", teamId: "t2", resourceId: "dr1" })).toMatchObject({ code: "NOT_FOUND", message: "dataroom dr1 not found in team t2" });
    expect(await refused({ type: "dataroom-group", teamId: "t1", resourceId: "dr1", groupId: "nope" })).toMatchObject({ code: "NOT_FOUND", message: "group nope not found in dataroom dr1" });
    expect((await stack.store.list({ teamId: "t1" }, {})).total).toBe(0);
    expect((await stack.store.list({ teamId: "t2" }, {})).total).toBe(0);
  });

  it("stops an export that runs past its time limit", async () => {
    await stack.runner({ timeoutMs: 1000 }).start();
    emulator.latencyMs = 3000;
    const job = await service.create(DOCUMENT, "user_1", null);
    const failed = await waitForStatus(job.id, "FAILED");
    expect(failed.error).toMatch(/longer than 1 s/);
    expect(failed.attempts).toBe(1);
  });

  it("cancels a running export, which never writes COMPLETED afterwards", async () => {
    await stack.runner({ window: 1 }).start();
    emulator.latencyMs = 300;
    const job = await service.create(DOCUMENT, "user_1", null);
    await waitForStatus(job.id, "PROCESSING");
    await service.cancel(job.id, "user_1", null);
    emulator.latencyMs = 0;
    // The run has ended once it logs the cancel and lets go of the job: only then can we
    // tell that it never wrote COMPLETED.
    await expect.poll(() => stack.logs, { timeout: 10_000 }).toContain(`export ${job.id}: cancelled`);
    await expect.poll(() => stack.runners.flatMap((r) => r.activeJobIds), { timeout: 5000 }).toEqual([]);
    const { job: cancelled } = (await stack.store.get(job.id))!;
    expect(cancelled).toMatchObject({ status: "FAILED", error: "Cancelled by user", cancelRequested: true });
    expect(statusesOf(job.id)).not.toContain("COMPLETED");
  });

  it("retries a FAILED export on request", async () => {
    await stack.runner().start();
    const job = await service.create(DOCUMENT, "user_1", null);
    await waitForStatus(job.id, "COMPLETED");
    // Tinybird fails every attempt (a retry may help later, unlike a missing resource).
    emulator.queueFaults(Array.from({ length: 3 }, () => ({ kind: "status" as const, status: 500 })), PIPES.dataroomViewDocumentStats);
    const other = await service.create(DOCUMENT, "user_1", null);
    const failed = await waitForStatus(other.id, "FAILED");
    expect(failed.error).toMatch(/HTTP 500/);
    expect(failed.error).not.toMatch(/^Cannot be retried/);
    await service.retry(other.id, "user_1", null);
    const done = await waitForStatus(other.id, "COMPLETED");
    expect(done.error).toBeUndefined();
    expect(done.result).toBe(job.result === undefined ? (await stack.store.getResult(job.id))! : job.result);
  });

  it("deletes a running export: the run stops and the record is gone", async () => {
    await stack.runner({ window: 1 }).start();
    emulator.latencyMs = 300;
    const job = await service.create(DOCUMENT, "user_1", null);
    await waitForStatus(job.id, "PROCESSING");
    await service.delete(job.id, "user_1", null);
    await expect.poll(() => stack.runners.flatMap((r) => r.activeJobIds), { timeout: 5000 }).toEqual([]);
    expect(await stack.store.get(job.id)).toBeNull();
  });
});

describe("runners and the queue", () => {
  it("re-enqueues PENDING records that have no queue entry at start-up", async () => {
    const orphan = await stack.store.create({ ...DOCUMENT, userId: "user_1" });
    const runner = stack.runner();
    await runner.start();
    await waitForStatus(orphan.id, "COMPLETED");
    expect(stack.logs.some((l) => l.includes("re-enqueued 1"))).toBe(true);
  });

  it("hands running jobs back to the queue on stop, and another runner finishes them", async () => {
    const first = stack.runner({ window: 1 });
    await first.start();
    emulator.latencyMs = 200;
    const job = await service.create(DOCUMENT, "user_1", null);
    await waitForStatus(job.id, "PROCESSING");
    await first.stop();
    expect((await stack.store.getSummary(job.id))!.status).toBe("PENDING");
    emulator.latencyMs = 0;
    await stack.runner().start();
    const done = await waitForStatus(job.id, "COMPLETED");
    expect(done.result!.split("\n")).toHaveLength(6);
  });

  it("shares one queue between two runners: every job runs once", async () => {
    const a = stack.runner({ concurrency: 2 });
    const b = stack.runner({ concurrency: 2 });
    await Promise.all([a.start(), b.start()]);
    const jobs = await Promise.all(Array.from({ length: 6 }, () => service.create(DOCUMENT, "user_1", null)));
    for (const job of jobs) await waitForStatus(job.id, "COMPLETED");
    for (const job of jobs) expect(statusesOf(job.id)).toEqual(["PENDING", "PROCESSING", "COMPLETED"]);
    const claims = changes.filter((c) => c.status === "PROCESSING" && c.progress === 0 && c.total === undefined);
    expect(new Set(claims.map((c) => c.id)).size).toBe(6);
  });
});

describe("stalled jobs", () => {
  it("fails an export whose runners keep dying mid-job, once it stalled more often than allowed, saying so", async () => {
    const job = await service.create(DOCUMENT, "user_1", null);
    // Runners that claim the job and die at once: a claim whose lock is never renewed, as a
    // SIGKILLed runner leaves it. Its own stall check hands the job back each time.
    const dying = new Worker(EXPORT_QUEUE_NAME, null, {
      connection: server.bullConnection,
      prefix: `${stack.prefix}bull`,
      lockDuration: 200,
      stalledInterval: 100,
      maxStalledCount: MAX_STALLED_COUNT,
      autorun: false,
    });
    try {
      await dying.startStalledCheckTimer();
      for (let claim = 0; claim <= MAX_STALLED_COUNT; claim++) {
        const claimed = await dying.getNextJob(`dead-runner-${claim}`);
        expect(claimed?.data.exportId).toBe(job.id);
        // What a runner writes as it starts a run, left behind when it dies.
        await stack.store.transition(job.id, "PROCESSING", { from: ["PENDING", "PROCESSING"], patch: { runId: `dead-run-${claim}`, attempts: 1, progress: 0 } });
        await expect.poll(() => claimed!.getState(), { timeout: 10_000, interval: 50 }).toBe("waiting");
      }
    } finally {
      await dying.close();
    }
    const calls = emulator.log.length;
    await stack.runner().start();
    const failed = await waitForStatus(job.id, "FAILED");
    expect(failed.error).toBe(stalledTooOftenMessage(MAX_STALLED_COUNT));
    expect(emulator.log.length).toBe(calls); // given up without running it again
    expect(await stack.queue.has(job.id)).toBe(false);
  }, 60_000);
});
