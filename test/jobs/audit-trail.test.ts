import type { Redis } from "ioredis";
import { beforeEach, describe, expect, it } from "vitest";
import { JobStore, type NewJob } from "../../electron/core/jobs/job-store";
import { AUDIT_TRAIL_LENGTH } from "../../electron/core/jobs/job-scripts";
import { testPrefix, useTestRedis } from "../helpers/redis-server";
import { rejection } from "../helpers/rejection";

let redis: Redis;
let store: JobStore;
let prefix: string;
let clock: number;

const TTL = 3600;
const input = (overrides: Partial<NewJob> = {}): NewJob => ({
  type: "document",
  teamId: "team_a",
  userId: "user_1",
  resourceId: "doc_1",
  resourceName: "Pitch deck",
  ...overrides,
});
const auditKey = (teamId = "team_a") => `${prefix}export_audit:${teamId}`;
const rawEntries = async (teamId = "team_a") => (await redis.lrange(auditKey(teamId), 0, -1)).map((text) => JSON.parse(text) as unknown);

useTestRedis((started) => ({ redis } = started));
beforeEach(() => {
  prefix = testPrefix();
  clock = Date.parse("2026-03-02T09:00:00.000Z");
  store = new JobStore(redis, { prefix, ttlSeconds: TTL, now: () => new Date((clock += 1000)) });
});

describe("each action writes one entry with its change", () => {
  it("create records the job's user, the resource and when, with the jobs' TTL", async () => {
    const job = await store.create(input());
    expect(await rawEntries()).toEqual([
      { at: job.createdAt, actor: "user_1", action: "created", jobId: job.id, resourceId: "doc_1", resourceName: "Pitch deck" },
    ]);
    const ttl = await redis.ttl(auditKey());
    expect(ttl).toBeGreaterThan(TTL - 10);
    expect(ttl).toBeLessThanOrEqual(TTL);
  });

  it("cancel records who cancelled; a runner's own step records nothing", async () => {
    const job = await store.create(input());
    await store.transition(job.id, "PROCESSING", { patch: { runId: "run_1" } });
    expect(await redis.llen(auditKey())).toBe(1);
    await store.cancel(job.id, "support_2");
    const [latest] = await rawEntries();
    expect(latest).toEqual({ at: (await store.getSummary(job.id))!.updatedAt, actor: "support_2", action: "cancelled", jobId: job.id, resourceId: "doc_1", resourceName: "Pitch deck" });
    expect(await redis.llen(auditKey())).toBe(2);
  });

  it("a transition with an audit record writes it (retry) and refreshes the trail's TTL", async () => {
    const job = await store.create(input());
    await store.cancel(job.id, "user_1");
    await redis.expire(auditKey(), 100);
    await store.transition(job.id, "PENDING", { from: ["FAILED"], clear: ["error"], audit: { actor: "user_3", action: "retried" } });
    expect((await rawEntries()).map((entry) => (entry as { action: string; actor: string }).action + ":" + (entry as { actor: string }).actor)).toEqual([
      "retried:user_3",
      "cancelled:user_1",
      "created:user_1",
    ]);
    expect(await redis.ttl(auditKey())).toBeGreaterThan(TTL - 10);
  });

  it("delete records who deleted which resource, after the record is gone", async () => {
    const job = await store.create(input({ teamId: "team_b" }));
    expect(await store.delete(job.id, "user_9")).toBe(true);
    const [latest] = await rawEntries("team_b");
    expect(latest).toEqual({ at: expect.any(String), actor: "user_9", action: "deleted", jobId: job.id, resourceId: "doc_1", resourceName: "Pitch deck" });
    expect(await redis.llen(auditKey("team_b"))).toBe(2);
    expect(await redis.exists(`${prefix}export_job:${job.id}`)).toBe(0);
  });
});

describe("a refused change writes no entry", () => {
  it("cancelling a finished job", async () => {
    const job = await store.create(input());
    await store.transition(job.id, "PROCESSING");
    await store.transition(job.id, "COMPLETED", { patch: { result: "a\n" } });
    expect((await rejection(store.cancel(job.id, "user_2"))).code).toBe("CONFLICT");
    expect(await redis.llen(auditKey())).toBe(1);
  });

  it("deleting a job that does not exist", async () => {
    expect(await store.delete("missing_1", "user_2")).toBe(false);
    expect(await redis.exists(auditKey())).toBe(0);
  });

  it("a create whose audit trail key holds something else writes nothing at all", async () => {
    await redis.set(auditKey(), "not a list");
    const error = await rejection(store.create(input()));
    expect(error.code).toBe("MALFORMED_RECORD");
    expect(error.message).toMatch(/not an audit trail/);
    expect(await redis.exists(`${prefix}team_jobs:team_a`, `${prefix}user_jobs:user_1`)).toBe(0);
    expect(await redis.keys(`${prefix}export_job:*`)).toEqual([]);
    expect(await redis.get(auditKey())).toBe("not a list");
  });

  it("a cancel whose audit trail key holds something else leaves the job as it was", async () => {
    const job = await store.create(input());
    await redis.del(auditKey());
    await redis.hset(auditKey(), "x", "1");
    expect((await rejection(store.cancel(job.id, "user_2"))).code).toBe("MALFORMED_RECORD");
    expect((await store.getSummary(job.id))!.status).toBe("PENDING");
    // A runner's step does not write the trail, so a bad trail does not stop it.
    await store.transition(job.id, "PROCESSING");
    expect((await store.getSummary(job.id))!.status).toBe("PROCESSING");
  });

  it("a delete whose audit trail key holds something else keeps the job", async () => {
    const job = await store.create(input());
    await redis.del(auditKey());
    await redis.sadd(auditKey(), "x");
    expect((await rejection(store.delete(job.id, "user_2"))).code).toBe("MALFORMED_RECORD");
    expect(await redis.exists(`${prefix}export_job:${job.id}`)).toBe(1);
    expect(await redis.zscore(`${prefix}team_jobs:team_a`, job.id)).not.toBeNull();
  });
});

describe("auditTrail", () => {
  it(`keeps the newest ${AUDIT_TRAIL_LENGTH} entries of a team`, async () => {
    const old = Array.from({ length: AUDIT_TRAIL_LENGTH }, (_, i) => JSON.stringify({ at: "2026-01-01T00:00:00.000Z", actor: "u", action: "created", jobId: `old_${i}` }));
    await redis.rpush(auditKey(), ...old);
    const job = await store.create(input());
    expect(await redis.llen(auditKey())).toBe(AUDIT_TRAIL_LENGTH);
    const page = await store.auditTrail("team_a", { limit: 2 });
    expect(page.entries.map((entry) => entry.jobId)).toEqual([job.id, "old_0"]);
    expect(page.total).toBe(AUDIT_TRAIL_LENGTH);
    expect(await redis.lindex(auditKey(), -1)).toBe(old[AUDIT_TRAIL_LENGTH - 2]);
  });

  it("lists a team's entries newest first, one job's on request, in pages; other teams apart", async () => {
    const first = await store.create(input());
    const second = await store.create(input({ userId: "user_2" }));
    await store.cancel(first.id, "user_3");
    await store.create(input({ teamId: "team_b" }));
    const all = await store.auditTrail("team_a", {});
    expect(all.entries.map((entry) => [entry.action, entry.jobId, entry.actor])).toEqual([
      ["cancelled", first.id, "user_3"],
      ["created", second.id, "user_2"],
      ["created", first.id, "user_1"],
    ]);
    expect(all.total).toBe(3);
    const ofFirst = await store.auditTrail("team_a", { jobId: first.id, offset: 1, limit: 5 });
    expect(ofFirst).toEqual({ entries: [all.entries[2]], total: 2, unreadable: 0 });
    expect(await store.auditTrail("team_c", {})).toEqual({ entries: [], total: 0, unreadable: 0 });
  });

  it("counts entries that do not read as one instead of returning them", async () => {
    const job = await store.create(input());
    await redis.lpush(auditKey(), "{not json", JSON.stringify({ action: "exploded" }));
    const page = await store.auditTrail("team_a", {});
    expect(page.entries.map((entry) => entry.jobId)).toEqual([job.id]);
    expect(page.unreadable).toBe(2);
  });

  it("refuses a bad query and a trail key of another type", async () => {
    expect((await rejection(store.auditTrail("team_a", { limit: 0 }))).code).toBe("BAD_INPUT");
    expect((await rejection(store.auditTrail("team a", {}))).code).toBe("BAD_INPUT");
    await redis.set(auditKey(), "x");
    expect((await rejection(store.auditTrail("team_a", {}))).code).toBe("MALFORMED_RECORD");
  });
});
