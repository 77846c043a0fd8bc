import type { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { JobStore } from "../../electron/core/jobs/job-store";
import { pgClient } from "../../electron/core/views/sql-client";
import { TinybirdEmulator } from "../../electron/dev/tinybird-emulator/tinybird-emulator";
import { writeJobRecords } from "../e2e/seeded-jobs";
import { smallEmulatorData } from "../fixtures/small-dataset";
import { ExportStack } from "../helpers/export-stack";
import { TestRedisServer, freePort, testPrefix, useTestRedis } from "../helpers/redis-server";
import { recordsRead, snapshotKeys } from "../helpers/redis-inspect";

/*
 * Issue 10 items 3, 4, 5 and 12: the job store under keys that hold the wrong thing.
 * Redis Lua does not roll back, so a write that cannot finish must not start: each case
 * checks that a refused write left every key exactly as it was.
 */

let server: TestRedisServer;
let redis: Redis;

useTestRedis((started) => ({ server, redis } = started));

/** Every key under the prefix with its type and content, to compare before and after. */
const snapshot = (prefix: string) => snapshotKeys(redis, prefix);

const NEW_JOB = { type: "document", teamId: "t1", userId: "u1", resourceId: "d1" } as const;

describe("create is all-or-nothing (item 3)", () => {
  it.each([
    ["user_jobs:u1", "the user's index"],
    ["team_jobs:t1", "the team's index"],
  ])("fails cleanly when %s holds a string (%s), writing nothing", async (index) => {
    const prefix = testPrefix();
    const store = new JobStore(redis, { prefix });
    await redis.set(`${prefix}${index}`, "not an index");
    const before = await snapshot(prefix);
    await expect(store.create(NEW_JOB)).rejects.toMatchObject({
      code: "MALFORMED_RECORD",
      message: `${prefix}${index} holds a string, not a job index: nothing was written`,
    });
    expect(await snapshot(prefix)).toEqual(before);
  });

  it("refuses a delete that could not remove the index entries, leaving the record", async () => {
    const prefix = testPrefix();
    const store = new JobStore(redis, { prefix });
    const job = await store.create(NEW_JOB);
    await redis.del(`${prefix}user_jobs:u1`);
    await redis.set(`${prefix}user_jobs:u1`, "not an index");
    const before = await snapshot(prefix);
    await expect(store.delete(job.id)).rejects.toMatchObject({ code: "MALFORMED_RECORD" });
    expect(await snapshot(prefix)).toEqual(before);
  });
});

describe("secondary indexes are written with the job or not at all (item 9)", () => {
  it.each([
    ["team_jobs_state:t1:PENDING", "the state index"],
    ["team_jobs_type:t1:document", "the type index"],
    ["team_jobs_resource:t1:d1", "the resource index"],
    ["team_jobs_unindexed:t1", "the unindexed set"],
  ])("a create whose %s holds a string (%s) writes nothing", async (index) => {
    const prefix = testPrefix();
    const store = new JobStore(redis, { prefix });
    await redis.set(`${prefix}${index}`, "not an index");
    const before = await snapshot(prefix);
    await expect(store.create(NEW_JOB)).rejects.toMatchObject({ code: "MALFORMED_RECORD", message: `${prefix}${index} holds a string, not a job index: nothing was written` });
    expect(await snapshot(prefix)).toEqual(before);
  });

  it("a create or delete whose resource map holds a string writes nothing", async () => {
    const prefix = testPrefix();
    const store = new JobStore(redis, { prefix });
    const job = await store.create(NEW_JOB);
    await redis.del(store.keys.teamResourceMap("t1"));
    await redis.set(store.keys.teamResourceMap("t1"), "not a map");
    const before = await snapshot(prefix);
    const refusal = { code: "MALFORMED_RECORD", message: `${store.keys.teamResourceMap("t1")} holds a string, not a resource map: nothing was written` };
    await expect(store.create(NEW_JOB)).rejects.toMatchObject(refusal);
    await expect(store.delete(job.id, "u1")).rejects.toMatchObject(refusal);
    expect(await snapshot(prefix)).toEqual(before);
  });

  it("a create or a listing whose expiry set holds a string writes nothing and names the key", async () => {
    const prefix = testPrefix();
    const store = new JobStore(redis, { prefix });
    await store.create(NEW_JOB);
    await redis.del(store.keys.teamExpiry("t1"));
    await redis.set(store.keys.teamExpiry("t1"), "not an index");
    const before = await snapshot(prefix);
    const refusal = { code: "MALFORMED_RECORD", message: `${store.keys.teamExpiry("t1")} holds a string, not a job index: nothing was written` };
    await expect(store.create(NEW_JOB)).rejects.toMatchObject(refusal);
    await expect(store.list({ teamId: "t1" })).rejects.toMatchObject(refusal);
    await expect(store.list({ teamId: "t1", status: "PENDING" })).rejects.toMatchObject(refusal);
    expect(await snapshot(prefix)).toEqual(before);
  });

  it("a transition whose new state's index holds a string leaves the job and every index as they were", async () => {
    const prefix = testPrefix();
    const store = new JobStore(redis, { prefix });
    const job = await store.create(NEW_JOB);
    await redis.set(`${prefix}team_jobs_state:t1:PROCESSING`, "not an index");
    const before = await snapshot(prefix);
    await expect(store.transition(job.id, "PROCESSING", { patch: { runId: "run1" } })).rejects.toMatchObject({ code: "MALFORMED_RECORD" });
    expect(await snapshot(prefix)).toEqual(before);
  });

  it("a delete whose resource index holds a string leaves the job and every index as they were", async () => {
    const prefix = testPrefix();
    const store = new JobStore(redis, { prefix });
    const job = await store.create(NEW_JOB);
    await redis.del(`${prefix}team_jobs_resource:t1:d1`);
    await redis.set(`${prefix}team_jobs_resource:t1:d1`, "not an index");
    const before = await snapshot(prefix);
    await expect(store.delete(job.id, "u1")).rejects.toMatchObject({ code: "MALFORMED_RECORD" });
    expect(await snapshot(prefix)).toEqual(before);
  });

  it("a backfill batch that meets an index holding a string files nothing and names the key", async () => {
    const prefix = testPrefix();
    const store = new JobStore(redis, { prefix });
    const at = new Date("2026-01-05T09:00:00.000Z").toISOString();
    await writeJobRecords(redis, prefix, [
      { id: "old_1", type: "document", status: "PENDING", resourceId: "d1", userId: "u1", teamId: "t1", createdAt: at, updatedAt: at },
      { id: "old_2", type: "dataroom", status: "PENDING", resourceId: "r1", userId: "u1", teamId: "t1", createdAt: at, updatedAt: at },
    ]);
    await redis.set(`${prefix}team_jobs_type:t1:dataroom`, "not an index");
    const before = await snapshot(prefix);
    await expect(store.list({ teamId: "t1", status: "PENDING" })).rejects.toMatchObject({
      code: "MALFORMED_RECORD",
      message: `${prefix}team_jobs_type:t1:dataroom holds a string, not a job index: nothing was written`,
    });
    expect(await snapshot(prefix)).toEqual(before);
    // Once the key is repaired, the backfill goes through.
    await redis.del(`${prefix}team_jobs_type:t1:dataroom`);
    expect((await store.list({ teamId: "t1", status: "PENDING" })).total).toBe(2);
  });

  it("a team indexed again whose resource index holds a string keeps every key and names it", async () => {
    const prefix = testPrefix();
    const store = new JobStore(redis, { prefix });
    await store.create(NEW_JOB);
    await redis.set(store.keys.teamIndexVersion("t1"), "an older layout");
    await redis.set(store.keys.teamResourceIndex("t1", "d9"), "not an index");
    const before = await snapshot(prefix);
    await expect(store.list({ teamId: "t1", status: "PENDING" })).rejects.toMatchObject({
      code: "MALFORMED_RECORD",
      message: `${store.keys.teamResourceIndex("t1", "d9")} holds a string, not a job index: nothing was written`,
    });
    expect(await snapshot(prefix)).toEqual(before);
  });
});

describe("transitions refuse records that do not decode (item 4)", () => {
  it.each([
    ["an unknown type", { type: "spreadsheet" }],
    ["a bad date", { createdAt: "yesterday" }],
    ["text progress", { progress: "lots" }],
    ["another id", { id: "someone_else" }],
  ])("a PENDING hash with %s stays as it was", async (_name, breakage) => {
    const prefix = testPrefix();
    const store = new JobStore(redis, { prefix });
    const job = await store.create(NEW_JOB);
    await redis.hset(`${prefix}export_job:${job.id}`, breakage);
    await redis.expire(`${prefix}export_job:${job.id}`, 600);
    const before = await snapshot(prefix);
    await expect(store.transition(job.id, "PROCESSING", { patch: { runId: "run1" } })).rejects.toMatchObject({ code: "MALFORMED_RECORD" });
    expect(await snapshot(prefix)).toEqual(before);
    expect(await redis.ttl(`${prefix}export_job:${job.id}`)).toBeLessThanOrEqual(600); // no fresh 7-day TTL
  });
});

describe("reconcile skips malformed records (item 4)", () => {
  it("logs a malformed PENDING hash once and leaves it as it was, unqueued", async () => {
    const emulator = new TinybirdEmulator({ token: "tb", data: smallEmulatorData });
    await emulator.start();
    // Never queried: the only record is malformed.
    const sql = pgClient(`postgres://postgres@127.0.0.1:${await freePort()}/none`);
    const stack = new ExportStack({ server, sql, emulator });
    try {
      const job = await stack.store.create(NEW_JOB);
      await redis.hset(`${stack.prefix}export_job:${job.id}`, { type: "spreadsheet" });
      await redis.expire(`${stack.prefix}export_job:${job.id}`, 600);
      const before = await redis.hgetall(`${stack.prefix}export_job:${job.id}`);
      const runner = stack.runner();
      await runner.start();
      expect(stack.logs.filter((line) => line.includes(job.id))).toEqual([
        expect.stringMatching(new RegExp(`^export ${job.id}: not re-enqueued, the record is malformed \\(job ${job.id}: type: `)),
      ]);
      expect(await stack.queue.has(job.id)).toBe(false);
      expect(await redis.hgetall(`${stack.prefix}export_job:${job.id}`)).toEqual(before);
      expect(await redis.ttl(`${stack.prefix}export_job:${job.id}`)).toBeLessThanOrEqual(600);
    } finally {
      await stack.close();
      await sql.close();
      await emulator.stop();
    }
  });
});

describe("listings check each record's team (item 5)", () => {
  it("does not list a team-A record that was added to team B's index", async () => {
    const prefix = testPrefix();
    const store = new JobStore(redis, { prefix });
    const ours = await store.create({ ...NEW_JOB, teamId: "tb" });
    const foreign = await store.create({ ...NEW_JOB, teamId: "ta" });
    await redis.zadd(`${prefix}team_jobs:tb`, Date.now() + 1000, foreign.id);
    for (const filter of [{ teamId: "tb" }, { teamId: "tb", status: "PENDING" as const }, { teamId: "tb", type: "document" as const }]) {
      const page = await store.list(filter);
      expect(page.jobs.map((job) => job.id), JSON.stringify(filter)).toEqual([ours.id]);
      expect(page.total, JSON.stringify(filter)).toBe(1);
    }
    expect((await store.list({ teamId: "ta" })).jobs.map((job) => job.id)).toEqual([foreign.id]);
  });
});

describe("the listing's total (item 12)", () => {
  it("is the same on every page when nothing changes in between", async () => {
    const prefix = testPrefix();
    const store = new JobStore(redis, { prefix });
    for (let i = 0; i < 6; i++) await store.create(NEW_JOB);
    // The newest entry is malformed: it is on the first page only.
    await redis.hset(`${prefix}export_job:broken`, { id: "broken", status: "PENDING" });
    await redis.zadd(`${prefix}team_jobs:t1`, Date.now() + 60_000, "broken");
    const totals: number[] = [];
    for (let offset = 0; offset < 8; offset += 3) totals.push((await store.list({ teamId: "t1" }, { offset, limit: 3 })).total);
    expect(new Set(totals).size).toBe(1);
  });
});

describe("filtered listings read their page, not the team (item 9)", () => {

  it("a status, resource or two-filter page reads the page's records", async () => {
    const prefix = testPrefix();
    let tick = 0;
    const store = new JobStore(redis, { prefix, now: () => new Date(Date.parse("2026-01-01T00:00:00.000Z") + ++tick * 1000) });
    const failed: string[] = [];
    for (let i = 0; i < 120; i++) {
      const job = await store.create({ ...NEW_JOB, resourceId: `d${i % 4}` });
      if (i % 3 === 0) {
        await store.transition(job.id, "FAILED", { patch: { error: "boom" } });
        failed.push(job.id);
      }
    }
    let page: Awaited<ReturnType<JobStore["list"]>> | undefined;
    expect(await recordsRead(redis, async () => (page = await store.list({ teamId: "t1", status: "FAILED" }, { offset: 10, limit: 5 })))).toBe(5);
    expect(page!.jobs.map((job) => job.id)).toEqual(failed.slice().reverse().slice(10, 15));
    expect(page!.total).toBe(40);
    expect(await recordsRead(redis, () => store.list({ teamId: "t1", resourceId: "d1" }, { limit: 5 }))).toBe(5);
    expect(await recordsRead(redis, () => store.list({ teamId: "t1", status: "FAILED", resourceId: "d0" }, { limit: 5 }))).toBe(5);
    // A search still reads the records it searches.
    expect(await recordsRead(redis, () => store.list({ teamId: "t1", search: "nothing like it" }))).toBe(120);
  });
});

describe("searches scan a bounded number of jobs and can be cancelled (item 9)", () => {
  it("stops after the newest maxScanned jobs of the index and says so", async () => {
    const prefix = testPrefix();
    let tick = 0;
    const store = new JobStore(redis, { prefix, maxScanned: 4, now: () => new Date(Date.parse("2026-01-01T00:00:00.000Z") + ++tick * 1000) });
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await store.create({ ...NEW_JOB, resourceId: `r${i}` })).id);
    const page = await store.list({ teamId: "t1", search: "r" });
    expect(page.jobs.map((job) => job.id)).toEqual(ids.slice(3).reverse());
    expect(page.total).toBe(4);
    expect(page.scanLimited).toBe(true);
    const unfiltered = await store.list({ teamId: "t1" });
    expect(unfiltered.total).toBe(7);
    expect(unfiltered.scanLimited).toBeUndefined();
  });

  it("reads nothing more once the caller has gone", async () => {
    const prefix = testPrefix();
    const store = new JobStore(redis, { prefix });
    await store.create(NEW_JOB);
    const gone = new AbortController();
    gone.abort();
    await expect(store.list({ teamId: "t1", search: "d1" }, {}, gone.signal)).rejects.toMatchObject({ code: "CANCELLED", message: "the listing was cancelled" });
  });
});
