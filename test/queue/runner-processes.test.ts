import { describe, expect, it } from "vitest";
import type { JobStatus } from "../../shared/job";
import { EXPECTED_DOCUMENT } from "../fixtures/small-dataset-expected";
import { useWorkerClusterSuite } from "../helpers/worker-cluster";

/*
 * Runners as separate processes (`npm run worker`), sharing one Redis: killed with SIGKILL
 * mid-job, running side by side under one clustered limit, and Redis restarting under them.
 */

const suite = useWorkerClusterSuite("runners", {
  EXPORT_MODE: "per-view",
  LIMIT_MIN_TIME: "0",
  RUNNER_LOCK_MS: "2000",
  // A killed runner's limiter slots are freed when its requests expire (timeout + 5 s).
  TINYBIRD_TIMEOUT_MS: "2000",
  EXPORT_BACKOFF_MS: "200",
});

async function waitFor(id: string, statuses: JobStatus[], timeout = 30_000): Promise<JobStatus> {
  let status: JobStatus | undefined;
  await expect
    .poll(
      async () => {
        status = (await suite.cluster.store.getSummary(id))?.status;
        return status !== undefined && statuses.includes(status);
      },
      { timeout, interval: 100 },
    )
    .toBe(true);
  return status!;
}

/** First claims of a fresh record (PENDING -> PROCESSING before any total is known). */
const claims = (id: string) => suite.cluster.changes.filter((c) => c.id === id && c.status === "PROCESSING" && c.progress === 0 && c.total === undefined).length;

describe("runner processes", () => {
  it("a runner killed with SIGKILL mid-job: another runner completes it, with no duplicate rows", async () => {
    // 10 Tinybird calls of 300 ms one at a time: the export takes 3 s, the kill comes at about 0.5 s.
    suite.emulator.latencyMs = 300;
    const first = suite.cluster.startWorker({ LIMIT_MAX_CONCURRENT: "1" });
    await expect.poll(first.output, { timeout: 20_000 }).toContain("worker running");
    const job = await suite.cluster.service.create({ type: "document", teamId: "t1", resourceId: "d1" }, "user_1", null);
    await waitFor(job.id, ["PROCESSING"]);
    await expect.poll(() => suite.emulator.log.length, { timeout: 10_000, interval: 20 }).toBeGreaterThan(0);
    first.process.kill("SIGKILL");
    suite.emulator.latencyMs = 20;
    const second = suite.cluster.startWorker();
    expect(await waitFor(job.id, ["COMPLETED", "FAILED"], 45_000)).toBe("COMPLETED");
    expect(await suite.cluster.store.getResult(job.id)).toBe(EXPECTED_DOCUMENT);
    // The log line follows the COMPLETED write: wait for it rather than racing the pipe.
    await expect.poll(second.output, { timeout: 5000 }).toContain(`export ${job.id}: completed`);
    expect(first.output()).not.toContain("completed");
  }, 90_000);

  it("two runners share one queue and one Tinybird limit: each job runs once, the limit holds", async () => {
    suite.emulator.latencyMs = [20, 60];
    const env = { LIMIT_MAX_CONCURRENT: "2", LIMIT_MIN_TIME: "40", RUNNER_CONCURRENCY: "2" };
    const a = suite.cluster.startWorker(env);
    const b = suite.cluster.startWorker(env);
    await expect.poll(() => a.output() + b.output(), { timeout: 20_000 }).toMatch(/worker running[\s\S]*worker running/);
    const jobs = await Promise.all(
      [
        { type: "document", teamId: "t1", resourceId: "d1" },
        { type: "dataroom", teamId: "t1", resourceId: "dr1" },
        { type: "document", teamId: "t2", resourceId: "d2" },
        { type: "dataroom-group", teamId: "t1", resourceId: "dr1", groupId: "g1" },
      ].map((request) => suite.cluster.service.create(request, "user_1", null)),
    );
    for (const job of jobs) expect(await waitFor(job.id, ["COMPLETED", "FAILED"], 60_000)).toBe("COMPLETED");
    for (const job of jobs) expect(claims(job.id)).toBe(1);
    expect(suite.emulator.log.every((entry) => entry.status === 200)).toBe(true);
    expect(suite.emulator.maxInFlight()).toBeLessThanOrEqual(2);
    expect(suite.emulator.minStartGap()).toBeGreaterThanOrEqual(40);
    const ran = [a.output(), b.output()].map((out) => (out.match(/: completed/g) ?? []).length);
    expect(ran[0]! + ran[1]!).toBe(4);
  }, 90_000);

  it("a retry that comes while the cancelled run still holds its queue entry runs once that run lets go", async () => {
    suite.emulator.latencyMs = 300;
    const worker = suite.cluster.startWorker({ LIMIT_MAX_CONCURRENT: "1" });
    await expect.poll(worker.output, { timeout: 20_000 }).toContain("worker running");
    const job = await suite.cluster.service.create({ type: "document", teamId: "t1", resourceId: "d1" }, "user_1", null);
    await waitFor(job.id, ["PROCESSING"]);
    // Frozen, the runner can neither see the cancel nor let go of the queue entry, so the
    // retry's enqueue meets the same entry still active (BullMQ keeps one entry per id).
    worker.process.kill("SIGSTOP");
    try {
      await suite.cluster.service.cancel(job.id, "user_1", null);
      await suite.cluster.service.retry(job.id, "user_1", null);
      expect(await suite.cluster.queue.has(job.id)).toBe(true);
    } finally {
      worker.process.kill("SIGCONT");
    }
    suite.emulator.latencyMs = 20;
    await expect.poll(worker.output, { timeout: 10_000 }).toContain(`export ${job.id}: cancelled`);
    expect(await waitFor(job.id, ["COMPLETED", "FAILED"], 30_000)).toBe("COMPLETED");
    expect(await suite.cluster.store.getResult(job.id)).toBe(EXPECTED_DOCUMENT);
  }, 90_000);

  it("Redis restarted mid-export: the job completes with exactly the golden CSV and the worker survives", async () => {
    // One Tinybird call at a time; after the first answer the rest take 2 s each, so the
    // export is certainly mid-flight when Redis goes down.
    suite.emulator.latencyMs = 100;
    const worker = suite.cluster.startWorker({ LIMIT_MAX_CONCURRENT: "1" });
    await expect.poll(worker.output, { timeout: 20_000 }).toContain("worker running");
    const job = await suite.cluster.service.create({ type: "document", teamId: "t1", resourceId: "d1" }, "user_1", null);
    await expect.poll(() => suite.emulator.log.length, { timeout: 20_000, interval: 10 }).toBeGreaterThan(0);
    suite.emulator.latencyMs = 2000;
    const before = worker.output().length;
    await suite.cluster.redisServer.stop();
    // The outage lasts until the worker has noticed it, not a fixed time.
    await expect.poll(() => worker.output().slice(before), { timeout: 20_000 }).toMatch(/ECONNREFUSED/);
    expect(worker.output()).not.toContain("completed");
    suite.emulator.latencyMs = 20;
    await suite.cluster.redisServer.restart();
    // The store is persistent (appendonly always) and a failed or stalled run is retried: the
    // guaranteed end is COMPLETED with the whole CSV, once.
    expect(await waitFor(job.id, ["COMPLETED", "FAILED"], 60_000)).toBe("COMPLETED");
    const { job: finished } = (await suite.cluster.store.get(job.id))!;
    expect(finished.result).toBe(EXPECTED_DOCUMENT);
    expect(finished.error).toBeUndefined();
    expect(worker.process.exitCode).toBeNull(); // the worker survived the outage
  }, 90_000);
});
