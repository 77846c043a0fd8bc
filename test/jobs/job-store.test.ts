import type { Redis } from "ioredis";
import { beforeEach, describe, expect, it } from "vitest";
import { AppError } from "../../shared/errors";
import type { JobChange } from "../../shared/job";
import { subscribeToJobChanges } from "../../electron/core/jobs/job-events";
import { JobStore, type NewJob } from "../../electron/core/jobs/job-store";
import { TestRedisServer, testPrefix, useTestRedis } from "../helpers/redis-server";
import { rejection } from "../helpers/rejection";

let server: TestRedisServer;
let redis: Redis;
let store: JobStore;
let prefix: string;

const input = (overrides: Partial<NewJob> = {}): NewJob => ({
  type: "document",
  teamId: "team_a",
  userId: "user_1",
  resourceId: "doc_1",
  resourceName: "Pitch deck",
  ...overrides,
});

useTestRedis((started) => ({ server, redis } = started));
beforeEach(() => {
  prefix = testPrefix();
  store = new JobStore(redis, { prefix, ttlSeconds: 3600 });
});

describe("create and get", () => {
  it("writes a PENDING hash and both index entries scored by creation ms", async () => {
    const job = await store.create(input());
    expect(job.id).toMatch(/^[A-Za-z0-9_-]{21}$/);
    expect(await redis.type(`${prefix}export_job:${job.id}`)).toBe("hash");
    const hash = await redis.hgetall(`${prefix}export_job:${job.id}`);
    expect(hash).toMatchObject({ id: job.id, type: "document", status: "PENDING", teamId: "team_a", userId: "user_1", resourceId: "doc_1" });
    expect(await redis.zscore(`${prefix}team_jobs:team_a`, job.id)).toBe(String(Date.parse(job.createdAt)));
    expect(await redis.zscore(`${prefix}user_jobs:user_1`, job.id)).toBe(String(Date.parse(job.createdAt)));
    const stored = await store.get(job.id);
    expect(stored).toEqual({ job, encoding: "hash" });
  });

  it("sets the TTL on the hash and both indexes", async () => {
    const job = await store.create(input());
    for (const key of [`export_job:${job.id}`, "team_jobs:team_a", "user_jobs:user_1"]) {
      const ttl = await redis.ttl(prefix + key);
      expect(ttl).toBeGreaterThan(3590);
      expect(ttl).toBeLessThanOrEqual(3600);
    }
  });

  it("returns null for an unknown id and rejects invalid ids with BAD_INPUT", async () => {
    expect(await store.get("nope")).toBeNull();
    for (const bad of ["", "a:b", "../etc/passwd", "x".repeat(65), "ünïcode", "a b"]) {
      expect((await rejection(store.get(bad))).code).toBe("BAD_INPUT");
    }
    expect((await rejection(store.create(input({ teamId: "team:other" })))).code).toBe("BAD_INPUT");
  });

  it("refuses a TTL that is not a positive whole number", () => {
    expect(() => new JobStore(redis, { ttlSeconds: 0 })).toThrow(/TTL/);
    expect(() => new JobStore(redis, { ttlSeconds: 1.5 })).toThrow(/TTL/);
  });
});

describe("transitions", () => {
  it("applies a legal transition with its patch atomically and bumps updatedAt", async () => {
    let clock = Date.parse("2026-01-01T00:00:00.000Z");
    store = new JobStore(redis, { prefix, ttlSeconds: 3600, now: () => new Date((clock += 1000)) });
    const job = await store.create(input());
    expect(await store.transition(job.id, "PROCESSING", { patch: { total: 10, runId: "r1" } })).toBe("PENDING");
    await store.transition(job.id, "PROCESSING", { patch: { progress: 4 }, runId: "r1" });
    await store.transition(job.id, "COMPLETED", { patch: { result: "a,b\n1,2\n", completedAt: "2026-01-01T00:00:09.000Z", progress: 10 }, runId: "r1" });
    const { job: done } = (await store.get(job.id))!;
    expect(done).toMatchObject({ status: "COMPLETED", progress: 10, total: 10, result: "a,b\n1,2\n", completedAt: "2026-01-01T00:00:09.000Z" });
    expect(done.updatedAt).toBe("2026-01-01T00:00:04.000Z");
    expect(done.createdAt).toBe("2026-01-01T00:00:01.000Z");
  });

  it("refuses illegal moves and leaves the record untouched", async () => {
    const job = await store.create(input());
    await store.transition(job.id, "PROCESSING");
    await store.transition(job.id, "COMPLETED", { patch: { result: "x\n" } });
    const before = await redis.hgetall(`${prefix}export_job:${job.id}`);
    const error = await rejection(store.transition(job.id, "PROCESSING", { patch: { progress: 1 } }));
    expect(error.code).toBe("CONFLICT");
    expect(error.message).toMatch(/COMPLETED.*PROCESSING/);
    expect(await redis.hgetall(`${prefix}export_job:${job.id}`)).toEqual(before);
    expect((await rejection(store.transition(job.id, "FAILED"))).code).toBe("CONFLICT");
    expect((await rejection(store.transition("missing", "FAILED"))).code).toBe("NOT_FOUND");
  });

  it("refuses writes from a run that no longer owns the job", async () => {
    const job = await store.create(input());
    await store.transition(job.id, "PROCESSING", { patch: { runId: "old" } });
    await store.transition(job.id, "PROCESSING", { patch: { runId: "new" } }); // taken over
    const error = await rejection(store.transition(job.id, "COMPLETED", { patch: { result: "x" }, runId: "old" }));
    expect(error.code).toBe("CONFLICT");
    expect((await store.get(job.id))!.job.status).toBe("PROCESSING");
    await store.transition(job.id, "COMPLETED", { patch: { result: "x" }, runId: "new" });
  });

  it("clears fields it is told to clear (retry of a FAILED job)", async () => {
    const job = await store.create(input());
    await store.transition(job.id, "FAILED", { patch: { error: "boom" } });
    await store.transition(job.id, "PENDING", { clear: ["error", "completedAt"], patch: { progress: 0 } });
    const { job: retried } = (await store.get(job.id))!;
    expect(retried.status).toBe("PENDING");
    expect(retried.error).toBeUndefined();
  });

  it("refreshes the TTL of the hash and both indexes on every write", async () => {
    const job = await store.create(input());
    for (const key of [`export_job:${job.id}`, "team_jobs:team_a", "user_jobs:user_1"]) await redis.expire(prefix + key, 50);
    await store.transition(job.id, "PROCESSING");
    for (const key of [`export_job:${job.id}`, "team_jobs:team_a", "user_jobs:user_1"]) {
      expect(await redis.ttl(prefix + key)).toBeGreaterThan(3000);
    }
  });

  it("lets exactly one of two clients win a concurrent transition", async () => {
    const other = server.client();
    const otherStore = new JobStore(other, { prefix, ttlSeconds: 3600 });
    try {
      for (let round = 0; round < 20; round++) {
        const job = await store.create(input());
        const outcomes = await Promise.allSettled([
          store.transition(job.id, "PROCESSING", { from: ["PENDING"], patch: { runId: "a" } }),
          otherStore.transition(job.id, "PROCESSING", { from: ["PENDING"], patch: { runId: "b" } }),
        ]);
        expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
        const loser = outcomes.find((o) => o.status === "rejected") as PromiseRejectedResult;
        expect((loser.reason as AppError).code).toBe("CONFLICT");
        const winner = outcomes[0]!.status === "fulfilled" ? "a" : "b";
        expect(await redis.hget(`${prefix}export_job:${job.id}`, "runId")).toBe(winner);
      }
    } finally {
      other.disconnect();
    }
  });
});

describe("keys owned by the store", () => {
  it("refuses to write a hash that names no team or user, and leaves it untouched", async () => {
    const job = await store.create(input());
    await redis.hdel(`${prefix}export_job:${job.id}`, "teamId");
    const before = await redis.hgetall(`${prefix}export_job:${job.id}`);
    const error = await rejection(store.transition(job.id, "PROCESSING", { patch: { progress: 1 } }));
    expect(error.code).toBe("MALFORMED_RECORD");
    expect(await redis.hgetall(`${prefix}export_job:${job.id}`)).toEqual(before);
  });

  it("moves a run's streamed CSV into the record in the same write; a discarded one is gone", async () => {
    const job = await store.create(input());
    await store.transition(job.id, "PROCESSING", { patch: { runId: "run1" } });
    await store.appendPartialResult(job.id, "run1", "a,b\n");
    await store.appendPartialResult(job.id, "run1", "1,2\n");
    await store.appendPartialResult(job.id, "run2", "stale\n");
    await store.discardPartialResult(job.id, "run2");
    await store.transition(job.id, "COMPLETED", { runId: "run1", takePartialResult: true });
    expect(await store.getResult(job.id)).toBe("a,b\n1,2\n");
    expect(await redis.keys(`${prefix}export_partial:*`)).toEqual([]);
    expect((await rejection(store.transition(job.id, "FAILED", { takePartialResult: true }))).code).toBe("BAD_INPUT");
  });

  it("cancels an active job and tells the runners; a finished one is refused and not announced", async () => {
    const requests: string[] = [];
    const subscription = await store.subscribeToCancellations((id) => requests.push(id));
    try {
      const finished = await store.create(input());
      await store.transition(finished.id, "FAILED", { patch: { error: "boom" } });
      expect((await rejection(store.cancel(finished.id))).code).toBe("CONFLICT");
      const running = await store.create(input());
      await store.transition(running.id, "PROCESSING", { patch: { runId: "r" } });
      await store.cancel(running.id);
      // Pub/sub keeps order: a request for the refused job would have arrived first.
      await expect.poll(() => requests.length).toBe(1);
      expect(requests).toEqual([running.id]);
      expect((await store.get(running.id))!.job).toMatchObject({ status: "FAILED", error: "Cancelled by user", cancelRequested: true });
      expect((await store.get(finished.id))!.job.error).toBe("boom");
    } finally {
      await subscription.close();
    }
  });

  it("lists every team with jobs, however many jobs there are, and only under its prefix", async () => {
    await store.create(input({ teamId: "team_b" }));
    for (let i = 0; i < 3; i++) await store.create(input({ teamId: "team_a" }));
    await redis.zadd(`${prefix}team_jobs:team_web`, 1, "webapp_job"); // an index the web app wrote
    await new JobStore(redis, { prefix: `${prefix}1:` }).create(input({ teamId: "team_other_prefix" }));
    expect(await store.teamIds()).toEqual(["team_a", "team_b", "team_web"]);
    // SCAN patterns treat [ ] * ? specially: a prefix holding them is matched literally.
    const globby = new JobStore(redis, { prefix: `${prefix}[1]*:` });
    expect(await globby.teamIds()).toEqual([]);
    await globby.create(input({ teamId: "team_g" }));
    expect(await globby.teamIds()).toEqual(["team_g"]);
  });

  it("finds our unfinished jobs for a runner to reconcile, not finished ones or the web app's", async () => {
    const pending = await store.create(input());
    const processing = await store.create(input());
    await store.transition(processing.id, "PROCESSING");
    const done = await store.create(input());
    await store.transition(done.id, "FAILED", { patch: { error: "x" } });
    await redis.set(`${prefix}export_job:webapp_pending`, JSON.stringify({ id: "webapp_pending", status: "PENDING", teamId: "team_a", userId: "u" }));
    expect((await store.unfinishedJobIds()).sort()).toEqual([pending.id, processing.id].sort());
  });
});

describe("list", () => {
  async function createMany(count: number, overrides: (i: number) => Partial<NewJob> = () => ({})): Promise<string[]> {
    let clock = Date.parse("2026-02-01T00:00:00.000Z");
    const timed = new JobStore(redis, { prefix, ttlSeconds: 3600, now: () => new Date((clock += 1000)) });
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push((await timed.create(input(overrides(i)))).id);
    return ids;
  }

  it("pages newest first with the total", async () => {
    const ids = await createMany(7);
    const first = await store.list({ teamId: "team_a" }, { offset: 0, limit: 3 });
    expect(first.total).toBe(7);
    expect(first.jobs.map((j) => j.id)).toEqual(ids.slice().reverse().slice(0, 3));
    const last = await store.list({ teamId: "team_a" }, { offset: 6, limit: 3 });
    expect(last.jobs.map((j) => j.id)).toEqual([ids[0]]);
    expect((await store.list({ userId: "user_1" })).total).toBe(7);
  });

  it("filters by status, type, resource and text search, counting all matches", async () => {
    const ids = await createMany(12, (i) => ({
      type: i % 3 === 0 ? "dataroom" : "document",
      resourceId: i % 2 === 0 ? "doc_even" : "doc_odd",
      resourceName: i === 5 ? "Quarterly REPORT" : `Deck ${i}`,
    }));
    await store.transition(ids[2]!, "FAILED", { patch: { error: "x" } });
    await store.transition(ids[4]!, "FAILED", { patch: { error: "x" } });
    const failed = await store.list({ teamId: "team_a", status: "FAILED" });
    expect(failed.jobs.map((j) => j.id)).toEqual([ids[4], ids[2]]);
    expect(failed.total).toBe(2);
    const datarooms = await store.list({ teamId: "team_a", type: "dataroom" }, { offset: 1, limit: 2 });
    expect(datarooms.total).toBe(4);
    expect(datarooms.jobs.map((j) => j.id)).toEqual([ids[6], ids[3]]);
    expect((await store.list({ teamId: "team_a", resourceId: "doc_odd" })).total).toBe(6);
    expect((await store.list({ teamId: "team_a", search: "report" })).jobs.map((j) => j.id)).toEqual([ids[5]]);
    expect((await store.list({ teamId: "team_a", search: ids[7]!.slice(3, 12).toLowerCase() })).jobs.map((j) => j.id)).toContain(ids[7]);
  });

  it("search matches the resource id and the group id, which support staff paste", async () => {
    const ids = await createMany(3, (i) => ({
      type: i === 2 ? "dataroom-group" : "document",
      resourceId: ["cm9xDocAlpha", "cm9xDocBeta", "cm9xRoom"][i],
      resourceName: `Deck ${i}`,
      ...(i === 2 ? { groupId: "grpInvestors7" } : {}),
    }));
    expect((await store.list({ teamId: "team_a", search: "DOCBETA" })).jobs.map((j) => j.id)).toEqual([ids[1]]);
    expect((await store.list({ teamId: "team_a", search: "cm9xdoc" })).jobs.map((j) => j.id)).toEqual([ids[1], ids[0]]);
    expect((await store.list({ teamId: "team_a", search: "grpinvestors7" })).jobs.map((j) => j.id)).toEqual([ids[2]]);
  });

  it("tells cancelled exports from failed ones: CANCELLED is a FAILED record whose cancel was requested", async () => {
    const ids = await createMany(4);
    await store.transition(ids[0]!, "FAILED", { patch: { error: "boom" } });
    await store.transition(ids[1]!, "FAILED", { patch: { error: "Cancelled by user", cancelRequested: true } });
    await store.transition(ids[2]!, "FAILED", { patch: { error: "Cancelled by user", cancelRequested: true } });
    const cancelled = await store.list({ teamId: "team_a", status: "CANCELLED" });
    expect(cancelled.jobs.map((j) => j.id)).toEqual([ids[2], ids[1]]);
    expect(cancelled.total).toBe(2);
    const failed = await store.list({ teamId: "team_a", status: "FAILED" });
    expect(failed.jobs.map((j) => j.id)).toEqual([ids[0]]);
    expect(failed.total).toBe(1);
  });

  it("lists across every team when no team or user is given", async () => {
    await createMany(2);
    await createMany(2, () => ({ teamId: "team_b", userId: "user_2" }));
    const all = await store.list({});
    expect(all.total).toBe(4);
    expect(new Set(all.jobs.map((j) => j.teamId))).toEqual(new Set(["team_a", "team_b"]));
    const times = all.jobs.map((j) => Date.parse(j.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it("never transfers the CSV", async () => {
    const [id] = await createMany(1);
    await store.transition(id!, "PROCESSING");
    await store.transition(id!, "COMPLETED", { patch: { result: "x".repeat(2_000_000) } });
    const before = Number(/total_net_output_bytes:(\d+)/.exec(await redis.info("stats"))![1]);
    const listed = await store.list({ teamId: "team_a" });
    const summary = await store.getSummary(id!);
    const after = Number(/total_net_output_bytes:(\d+)/.exec(await redis.info("stats"))![1]);
    expect(listed.jobs[0]).not.toHaveProperty("result");
    expect(summary).not.toHaveProperty("result");
    expect(after - before).toBeLessThan(20_000);
    expect((await store.getResult(id!))!.length).toBe(2_000_000);
  });

  it("prunes index members whose record expired", async () => {
    const ids = await createMany(3);
    await redis.del(`${prefix}export_job:${ids[1]}`);
    const listed = await store.list({ teamId: "team_a" });
    expect(listed.jobs.map((j) => j.id)).toEqual([ids[2], ids[0]]);
    expect(await redis.zscore(`${prefix}team_jobs:team_a`, ids[1]!)).toBeNull();
    expect((await store.list({ teamId: "team_a" })).total).toBe(2);
  });

  it("reports a malformed record and keeps listing the rest", async () => {
    const ids = await createMany(2);
    await redis.hset(`${prefix}export_job:${ids[0]}`, "status", "EXPLODED");
    await redis.zadd(`${prefix}team_jobs:team_a`, Date.now(), "wrongtype");
    await redis.sadd(`${prefix}export_job:wrongtype`, "x");
    const listed = await store.list({ teamId: "team_a" });
    expect(listed.jobs.map((j) => j.id)).toEqual([ids[1]]);
    expect(listed.malformed.map((m) => m.id).sort()).toEqual([ids[0], "wrongtype"].sort());
    expect(listed.malformed.find((m) => m.id === ids[0])!.reason).toMatch(/status/);
    expect((await rejection(store.get(ids[0]!))).code).toBe("MALFORMED_RECORD");
    const filtered = await store.list({ teamId: "team_a", status: "PENDING" });
    expect(filtered.jobs.map((j) => j.id)).toEqual([ids[1]]);
    expect(filtered.malformed).toHaveLength(2);
  });

  it("rejects bad filters and pages with BAD_INPUT", async () => {
    expect((await rejection(store.list({ teamId: "a:b" }))).code).toBe("BAD_INPUT");
    expect((await rejection(store.list({ status: "DONE" } as never))).code).toBe("BAD_INPUT");
    expect((await rejection(store.list({}, { limit: 0 }))).code).toBe("BAD_INPUT");
    expect((await rejection(store.list({ __proto__: { teamId: "x" }, extra: 1 } as never))).code).toBe("BAD_INPUT");
  });
});

describe("Papermark web app records (JSON strings)", () => {
  const webJob = (id: string) => ({
    id,
    type: "dataroom",
    status: "COMPLETED",
    resourceId: "dr_1",
    resourceName: "Series A",
    groupId: null,
    result: "Dataroom Viewed At\n2026-01-01T00:00:00.000Z\n",
    error: null,
    userId: "user_web",
    teamId: "team_a",
    createdAt: "2026-03-01T10:00:00.000Z",
    updatedAt: "2026-03-01T10:00:05.000Z",
    completedAt: "2026-03-01T10:00:05.000Z",
  });

  it("reads, lists and deletes them, but never changes them", async () => {
    const id = "webapp_job_1";
    await redis.setex(`${prefix}export_job:${id}`, 3600, JSON.stringify(webJob(id)));
    await redis.zadd(`${prefix}team_jobs:team_a`, Date.parse("2026-03-01T10:00:00.000Z"), id);
    await redis.zadd(`${prefix}user_jobs:user_web`, Date.parse("2026-03-01T10:00:00.000Z"), id);
    const mine = await store.create(input());

    const stored = await store.get(id);
    expect(stored!.encoding).toBe("json");
    expect(stored!.job).toMatchObject({ id, type: "dataroom", status: "COMPLETED", result: webJob(id).result });
    expect(stored!.job.groupId).toBeUndefined();

    const listed = await store.list({ teamId: "team_a" });
    expect(listed.jobs.map((j) => j.id)).toEqual([mine.id, id]);
    expect(listed.jobs[1]).not.toHaveProperty("result");
    expect(listed.jobs[1]!.resourceName).toBe("Series A");

    expect((await rejection(store.transition(id, "PENDING"))).code).toBe("FOREIGN_RECORD");
    expect(await redis.get(`${prefix}export_job:${id}`)).toBe(JSON.stringify(webJob(id)));

    expect(await store.delete(id)).toBe(true);
    expect(await redis.exists(`${prefix}export_job:${id}`)).toBe(0);
    expect(await redis.zscore(`${prefix}team_jobs:team_a`, id)).toBeNull();
    expect(await redis.zscore(`${prefix}user_jobs:user_web`, id)).toBeNull();
  });

  it("reports an unparsable JSON record", async () => {
    await redis.set(`${prefix}export_job:broken`, "{not json");
    await redis.zadd(`${prefix}team_jobs:team_a`, 1, "broken");
    const listed = await store.list({ teamId: "team_a" });
    expect(listed.malformed).toEqual([{ id: "broken", reason: expect.stringMatching(/JSON/) }]);
    expect((await rejection(store.get("broken"))).code).toBe("MALFORMED_RECORD");
  });
});

describe("delete and change events", () => {
  it("deletes the hash and its index entries", async () => {
    const job = await store.create(input());
    expect(await store.delete(job.id)).toBe(true);
    expect(await redis.exists(`${prefix}export_job:${job.id}`)).toBe(0);
    expect(await redis.zscore(`${prefix}team_jobs:team_a`, job.id)).toBeNull();
    expect(await redis.zscore(`${prefix}user_jobs:user_1`, job.id)).toBeNull();
    expect(await store.delete(job.id)).toBe(false);
  });

  it("publishes a change for every write", async () => {
    const changes: JobChange[] = [];
    const subscription = await subscribeToJobChanges(redis, store.keys, (change) => changes.push(change));
    try {
      const job = await store.create(input());
      await store.transition(job.id, "PROCESSING", { patch: { total: 5, progress: 2 } });
      await store.delete(job.id);
      await expect.poll(() => changes.length).toBe(3);
      expect(changes.map((c) => [c.kind, c.status])).toEqual([
        ["created", "PENDING"],
        ["updated", "PROCESSING"],
        ["deleted", undefined],
      ]);
      expect(changes[1]).toMatchObject({ id: job.id, teamId: "team_a", userId: "user_1", progress: 2, total: 5 });
    } finally {
      await subscription.close();
    }
  });

  it("reports a malformed change message without dropping later ones", async () => {
    const changes: JobChange[] = [];
    const problems: string[] = [];
    const subscription = await subscribeToJobChanges(redis, store.keys, (c) => changes.push(c), (p) => problems.push(p));
    try {
      await redis.publish(store.keys.changes(), "garbage");
      await redis.publish(store.keys.changes(), JSON.stringify({ kind: "updated" }));
      await store.create(input());
      await expect.poll(() => changes.length).toBe(1);
      expect(problems).toHaveLength(2);
    } finally {
      await subscription.close();
    }
  });
});

describe("Redis outages", () => {
  it("reports UNAVAILABLE while Redis is down and works again after it restarts", async () => {
    const job = await store.create(input());
    await server.stop();
    try {
      expect((await rejection(store.get(job.id))).code).toBe("UNAVAILABLE");
    } finally {
      await server.restart();
    }
    await expect.poll(async () => (await store.create(input())).status, { timeout: 5000 }).toBe("PENDING");
  });
});
