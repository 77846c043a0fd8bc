import type { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { JobStore } from "../../electron/core/jobs/job-store";
import { testPrefix, useTestRedis } from "../helpers/redis-server";
import { seededRandom } from "./bad-payloads";

let redis: Redis;

useTestRedis((started) => ({ redis } = started));

const GOOD = { type: "document", status: "COMPLETED", resourceId: "d1", userId: "u1", teamId: "t1", createdAt: "2026-01-01T00:00:00.000Z", updatedAt: "2026-01-01T00:00:01.000Z" };

/** Ways a record at export_job:<id> can be wrong, each written by `write`. */
const BREAKAGES: { name: string; write: (redis: Redis, key: string, id: string) => Promise<unknown> }[] = [
  { name: "hash without status", write: (r, k, id) => r.hset(k, { ...GOOD, id, status: "" }) },
  { name: "hash with unknown type", write: (r, k, id) => r.hset(k, { ...GOOD, id, type: "spreadsheet" }) },
  { name: "hash missing teamId", write: (r, k, id) => r.hset(k, { id, type: "document", status: "PENDING", resourceId: "d1", userId: "u1", createdAt: GOOD.createdAt, updatedAt: GOOD.updatedAt }) },
  { name: "hash with a bad date", write: (r, k, id) => r.hset(k, { ...GOOD, id, createdAt: "yesterday" }) },
  { name: "hash with negative progress", write: (r, k, id) => r.hset(k, { ...GOOD, id, progress: "-3" }) },
  { name: "hash with text progress", write: (r, k, id) => r.hset(k, { ...GOOD, id, progress: "lots" }) },
  { name: "hash claiming another id", write: (r, k) => r.hset(k, { ...GOOD, id: "someone_else" }) },
  { name: "JSON array", write: (r, k) => r.set(k, "[1,2,3]") },
  { name: "JSON scalar", write: (r, k) => r.set(k, "42") },
  { name: "JSON with a nested status", write: (r, k, id) => r.set(k, JSON.stringify({ ...GOOD, id, status: { value: "COMPLETED" } })) },
  { name: "JSON with a numeric teamId", write: (r, k, id) => r.set(k, JSON.stringify({ ...GOOD, id, teamId: 7, type: 3 })) },
  { name: "not JSON", write: (r, k) => r.set(k, "<html>oops</html>") },
  { name: "truncated JSON", write: (r, k, id) => r.set(k, JSON.stringify({ ...GOOD, id }).slice(0, 40)) },
  { name: "a list", write: (r, k) => r.rpush(k, "a", "b") },
  { name: "a set", write: (r, k) => r.sadd(k, "a") },
  { name: "a sorted set", write: (r, k) => r.zadd(k, 1, "a") },
];

describe("malformed and foreign records", () => {
  it("are reported by every listing while valid jobs (ours and the web app's) keep showing", async () => {
    const prefix = testPrefix();
    const store = new JobStore(redis, { prefix });
    const random = seededRandom(5);
    const valid: string[] = [];
    const broken = new Map<string, string>();
    for (let i = 0; i < 60; i++) {
      const score = Date.parse("2026-01-01T00:00:00.000Z") + i * 1000;
      const roll = random();
      if (roll < 0.3) {
        const job = await store.create({ type: "document", teamId: "t1", userId: "u1", resourceId: "d1" });
        await redis.zadd(`${prefix}team_jobs:t1`, score, job.id);
        valid.push(job.id);
      } else if (roll < 0.45) {
        const id = `web_${i}`;
        await redis.setex(`${prefix}export_job:${id}`, 600, JSON.stringify({ ...GOOD, id, groupId: null, result: "csv", error: null }));
        await redis.zadd(`${prefix}team_jobs:t1`, score, id);
        valid.push(id);
      } else {
        const breakage = BREAKAGES[i % BREAKAGES.length]!;
        const id = `bad_${i}`;
        await breakage.write(redis, `${prefix}export_job:${id}`, id);
        await redis.zadd(`${prefix}team_jobs:t1`, score, id);
        broken.set(id, breakage.name);
      }
    }
    expect(broken.size).toBeGreaterThan(BREAKAGES.length);

    const all = await store.list({ teamId: "t1" }, { limit: 500 });
    expect(new Set(all.jobs.map((j) => j.id))).toEqual(new Set(valid));
    expect(new Set(all.malformed.map((m) => m.id))).toEqual(new Set(broken.keys()));
    for (const report of all.malformed) expect(report.reason.length, broken.get(report.id)).toBeGreaterThan(3);

    const filtered = await store.list({ teamId: "t1", status: "COMPLETED", search: "web_" }, { limit: 500 });
    expect(filtered.jobs.every((j) => j.id.startsWith("web_"))).toBe(true);
    expect(new Set(filtered.malformed.map((m) => m.id))).toEqual(new Set(broken.keys()));

    const everyTeam = await store.list({}, { limit: 500 });
    expect(everyTeam.jobs).toHaveLength(valid.length);

    for (const id of broken.keys()) {
      await expect(store.getSummary(id)).rejects.toMatchObject({ code: "MALFORMED_RECORD" });
      // A broken record can still be deleted (with its index entry).
      expect(await store.delete(id)).toBe(true);
    }
    expect((await store.list({ teamId: "t1" }, { limit: 500 })).malformed).toEqual([]);
  });
});
