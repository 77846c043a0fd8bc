import { describe, expect, it } from "vitest";
import { EXPECTED_DATAROOM, EXPECTED_DOCUMENT, EXPECTED_GROUP_G1, EXPECTED_GROUP_G2 } from "../fixtures/small-dataset-expected";
import { seededRandom } from "../faults/bad-payloads";
import { useWorkerClusterSuite } from "../helpers/worker-cluster";

/*
 * The slow part of the fault suite (`npm run test:faults`): runner processes killed at random
 * moments, and three processes under one limit that loses its Redis keys mid-run.
 */

const REQUESTS = [
  [{ type: "document", teamId: "t1", resourceId: "d1" }, EXPECTED_DOCUMENT],
  [{ type: "dataroom", teamId: "t1", resourceId: "dr1" }, EXPECTED_DATAROOM],
  [{ type: "dataroom-group", teamId: "t1", resourceId: "dr1", groupId: "g1" }, EXPECTED_GROUP_G1],
  [{ type: "dataroom-group", teamId: "t1", resourceId: "dr1", groupId: "g2" }, EXPECTED_GROUP_G2],
] as const;

const suite = useWorkerClusterSuite("storm", { RUNNER_LOCK_MS: "2000", TINYBIRD_TIMEOUT_MS: "2000", EXPORT_BACKOFF_MS: "200" });

async function createAll(count: number) {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const [request, expected] = REQUESTS[i % REQUESTS.length]!;
      return { job: await suite.cluster.service.create(request, "u1", null), expected };
    }),
  );
}

async function settle(ids: string[], timeout: number) {
  await expect
    .poll(async () => (await Promise.all(ids.map(async (id) => (await suite.cluster.store.getSummary(id))?.status))).every((s) => s === "COMPLETED" || s === "FAILED"), {
      timeout,
      interval: 250,
    })
    .toBe(true);
}

describe("runners killed with SIGKILL at random moments", () => {
  it("20 exports: every job completes exactly once, with no duplicate or missing rows", async () => {
    suite.emulator.latencyMs = [150, 300];
    const env = { EXPORT_MODE: "per-view", LIMIT_MAX_CONCURRENT: "3", LIMIT_MIN_TIME: "0", RUNNER_CONCURRENCY: "2" };
    for (let i = 0; i < 3; i++) suite.cluster.startWorker(env);
    const jobs = await createAll(20);
    const random = seededRandom(99);
    let kills = 0;
    const stormUntil = Date.now() + 20_000;
    while (Date.now() < stormUntil) {
      await new Promise((resolve) => setTimeout(resolve, 1500 + random() * 2000));
      const alive = suite.cluster.alive();
      const victim = alive[Math.floor(random() * alive.length)];
      if (victim) {
        victim.process.kill("SIGKILL");
        kills += 1;
      }
      suite.cluster.startWorker(env);
    }
    await settle(
      jobs.map(({ job }) => job.id),
      150_000,
    );
    expect(kills).toBeGreaterThanOrEqual(5);
    for (const { job, expected } of jobs) {
      const { job: finished } = (await suite.cluster.store.get(job.id))!;
      expect(finished.status, `${job.id}: ${finished.error}`).toBe("COMPLETED");
      expect(finished.result).toBe(expected);
      expect(suite.cluster.changes.filter((c) => c.id === job.id && c.status === "COMPLETED")).toHaveLength(1);
    }
    // Some runs really were cut off mid-job and taken over.
    const takeovers = jobs.filter(({ job }) => suite.cluster.changes.filter((c) => c.id === job.id && c.status === "PROCESSING" && c.progress === 0).length > 2);
    expect(takeovers.length).toBeGreaterThan(0);
  }, 240_000);
});

describe("three processes under one limit", () => {
  it("stay within maxConcurrent and minTime overall, also after the limiter's Redis keys are lost", async () => {
    suite.emulator.latencyMs = [20, 60];
    const env = { EXPORT_MODE: "per-view", LIMIT_MAX_CONCURRENT: "3", LIMIT_MIN_TIME: "30", RUNNER_CONCURRENCY: "2" };
    const three = [suite.cluster.startWorker(env), suite.cluster.startWorker(env), suite.cluster.startWorker(env)];
    await expect.poll(() => three.every((w) => w.output().includes("worker running")), { timeout: 30_000 }).toBe(true);
    const jobs = await createAll(30);
    await expect.poll(() => suite.emulator.log.length, { timeout: 30_000, interval: 20 }).toBeGreaterThan(40);
    // Lose every key of the shared limiter (as after a Redis restart without persistence).
    const lostAt = Date.now();
    const limiterKeys = [...(await suite.cluster.redis.keys("b_vec-limiter:*")), ...(await suite.cluster.redis.keys("vec-limiter:*"))];
    expect(limiterKeys.length).toBeGreaterThan(0);
    await suite.cluster.redis.del(...limiterKeys);
    await settle(
      jobs.map(({ job }) => job.id),
      120_000,
    );
    for (const { job, expected } of jobs) expect((await suite.cluster.store.get(job.id))!.job.result).toBe(expected);
    const before = suite.emulator.log.filter((e) => e.end < lostAt);
    // Requests in flight when the keys vanished finish under the old bookkeeping; from then on
    // (one request timeout later at most) the rebuilt limiter must hold again.
    const after = suite.emulator.log.filter((e) => e.releasedAt > lostAt + 1000);
    expect(after.length).toBeGreaterThan(20);
    for (const part of [before, after]) {
      expect(suite.emulator.maxInFlight(part)).toBeLessThanOrEqual(3);
      expect(suite.emulator.minStartGap(part)).toBeGreaterThanOrEqual(30);
    }
    expect(three.some((w) => w.output().includes("rate limiter rebuilt"))).toBe(true);
  }, 180_000);
});
