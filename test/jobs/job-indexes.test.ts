import type { Redis } from "ioredis";
import { beforeEach, describe, expect, it } from "vitest";
import { JOB_STATES, JOB_TYPES, jobStateOf, type ExportJobSummary, type JobFilter, type JobState, type JobType } from "../../shared/job";
import { INDEX_VERSION } from "../../electron/core/jobs/job-scripts";
import { JobStore, type NewJob } from "../../electron/core/jobs/job-store";
import { writeJobRecords } from "../e2e/seeded-jobs";
import { TestRedisServer, testPrefix, useTestRedis } from "../helpers/redis-server";
import { recordsRead, stringsRead } from "../helpers/redis-inspect";

/*
 * Issue 10 item 9: filtered listings read the team's secondary indexes (state, type,
 * resource), kept by the same scripts as the records. Every case checks the answer against
 * the unfiltered listing filtered here, and the indexes against the records.
 */

let server: TestRedisServer;
let redis: Redis;
let store: JobStore;
let prefix: string;

const TEAM = "team_a";

useTestRedis((started) => ({ server, redis } = started));
beforeEach(() => {
  prefix = testPrefix();
  let clock = Date.parse("2026-02-01T00:00:00.000Z");
  // One second apart: the order of the listing is the order of creation.
  store = new JobStore(redis, { prefix, ttlSeconds: 3600, now: () => new Date((clock += 1000)) });
});

const input = (overrides: Partial<NewJob> = {}): NewJob => ({ type: "document", teamId: TEAM, userId: "user_1", resourceId: "doc_a", ...overrides });

/** The filters a team's indexes answer: every state, type and resource, alone and in pairs. */
function filtersFor(resources: readonly string[]): JobFilter[] {
  const states = JOB_STATES.map((status) => ({ status }));
  const types = JOB_TYPES.map((type) => ({ type }));
  const byResource = resources.map((resourceId) => ({ resourceId }));
  return [
    ...states,
    ...types,
    ...byResource,
    ...states.flatMap((state) => types.map((type) => ({ ...state, ...type }))),
    ...states.flatMap((state) => byResource.map((resource) => ({ ...state, ...resource }))),
    ...types.flatMap((type) => byResource.map((resource) => ({ ...type, ...resource, status: "PENDING" as const }))),
  ];
}

function matches(job: ExportJobSummary, filter: JobFilter): boolean {
  return (!filter.status || jobStateOf(job) === filter.status) && (!filter.type || job.type === filter.type) && (!filter.resourceId || job.resourceId === filter.resourceId);
}

/**
 * Each filter of the team lists exactly the jobs of its unfiltered listing that match, in the
 * same order, with that count as total; paging by 2 gives the same jobs and the same total.
 */
async function expectFiltersAgree(team: string, resources: readonly string[]): Promise<void> {
  const all = (await store.list({ teamId: team }, { limit: 500 })).jobs;
  for (const filter of filtersFor(resources)) {
    const label = JSON.stringify(filter);
    const expected = all.filter((job) => matches(job, filter)).map((job) => job.id);
    const listed = await store.list({ teamId: team, ...filter }, { limit: 500 });
    expect(listed.jobs.map((job) => job.id), label).toEqual(expected);
    expect(listed.total, label).toBe(expected.length);
    const paged: string[] = [];
    for (let offset = 0; offset < expected.length; offset += 2) {
      const page = await store.list({ teamId: team, ...filter }, { offset, limit: 2 });
      expect(page.total, `${label} at ${offset}`).toBe(expected.length);
      paged.push(...page.jobs.map((job) => job.id));
    }
    expect(paged, label).toEqual(expected);
  }
}

/** The key without the test's prefix (a readable label). */
const unprefixed = (key: string) => key.slice(prefix.length);

/** Members of every secondary index of the team, by key (without the prefix). */
async function secondaryIndexes(team: string): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  const patterns = [store.keys.teamStateIndex(team, "*" as JobState), store.keys.teamTypeIndex(team, "*" as JobType), store.keys.teamResourceIndex(team, "*")];
  for (const pattern of patterns) for (const key of await redis.keys(pattern)) out[unprefixed(key)] = (await redis.zrange(key, "0", "-1")).sort();
  const unindexed = await redis.zrange(store.keys.teamUnindexed(team), "0", "-1");
  if (unindexed.length) out[unprefixed(store.keys.teamUnindexed(team))] = unindexed.sort();
  return out;
}

/**
 * The indexes of the team describe its index exactly: each member in one state index (its
 * record's state) or the unindexed set; ours and the web app's (JSON) records in their type
 * and resource index, with the team index's score, and in the resource map (their resource);
 * a malformed one in the unindexed set only; nothing else anywhere.
 */
async function expectIndexesMatch(team: string, unindexed: readonly string[] = []): Promise<void> {
  const members = await redis.zrange(store.keys.teamIndex(team), "0", "-1", "WITHSCORES");
  const expected: Record<string, string[]> = {};
  const add = (key: string, id: string) => (expected[unprefixed(key)] = [...(expected[unprefixed(key)] ?? []), id].sort());
  const resourceOf: Record<string, string> = {};
  for (let i = 0; i < members.length; i += 2) {
    const id = members[i]!;
    const webApp = unindexed.includes(id) ? await store.get(id).catch(() => null) : null;
    if (unindexed.includes(id)) {
      add(store.keys.teamUnindexed(team), id);
      if (webApp?.encoding !== "json") continue; // malformed: in the unindexed set only
    }
    const job = webApp?.job ?? (await store.getSummary(id))!;
    resourceOf[id] = job.resourceId;
    const keys = [
      ...(webApp ? [] : [store.keys.teamStateIndex(team, jobStateOf(job))]),
      store.keys.teamTypeIndex(team, job.type),
      store.keys.teamResourceIndex(team, job.resourceId),
    ];
    for (const key of keys) {
      add(key, id);
      expect(await redis.zscore(key, id), unprefixed(key)).toBe(members[i + 1]);
    }
  }
  expect(await secondaryIndexes(team)).toEqual(expected);
  expect(await redis.hgetall(store.keys.teamResourceMap(team))).toEqual(resourceOf);
  expect(await expiryEntries(team)).toEqual(await expiryTimes(members.filter((_, i) => i % 2 === 0)));
}

/** The team's expiry set: id -> score. */
async function expiryEntries(team: string): Promise<Record<string, string>> {
  const flat = await redis.zrange(store.keys.teamExpiry(team), "0", "-1", "WITHSCORES");
  const out: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
  return out;
}

/** When each record expires (Redis's PEXPIRETIME), for those that do. */
async function expiryTimes(ids: readonly string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const id of ids) {
    const at = Number(await redis.call("PEXPIRETIME", store.keys.job(id)));
    if (at >= 0) out[id] = String(at);
  }
  return out;
}

/** A record as Papermark's web app writes it: a JSON string and the two seed indexes. */
async function writeWebAppJob(id: string, createdAt: string, fields: Partial<ExportJobSummary> = {}): Promise<void> {
  const record = { id, type: "dataroom", status: "PENDING", resourceId: "dr_1", resourceName: "Series A", userId: "user_web", teamId: TEAM, createdAt, updatedAt: createdAt, ...fields };
  await redis.setex(store.keys.job(id), 3600, JSON.stringify(record));
  await redis.zadd(store.keys.teamIndex(record.teamId), Date.parse(createdAt), id);
  await redis.zadd(store.keys.userIndex(record.userId), Date.parse(createdAt), id);
}

describe("the indexes follow every write", () => {
  it("each filter lists exactly its jobs through create, transition, cancel, retry and delete", async () => {
    const resources = ["doc_a", "doc_b", "room_x"];
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const type = JOB_TYPES[i % 3]!;
      ids.push((await store.create(input({ type, resourceId: resources[i % 3 === 2 ? 2 : i % 2]!, ...(type === "dataroom-group" ? { groupId: "grp_1" } : {}) }))).id);
    }
    await expectIndexesMatch(TEAM);
    await expectFiltersAgree(TEAM, resources);

    for (const id of ids.slice(0, 8)) await store.transition(id, "PROCESSING", { patch: { runId: "run1" } });
    for (const id of ids.slice(0, 3)) await store.transition(id, "COMPLETED", { runId: "run1", patch: { result: "a\n" } });
    await store.transition(ids[3]!, "FAILED", { patch: { error: "boom" } });
    await store.cancel(ids[4]!);
    await store.cancel(ids[9]!); // a PENDING one
    await expectIndexesMatch(TEAM);
    await expectFiltersAgree(TEAM, resources);
    expect((await store.list({ teamId: TEAM, status: "CANCELLED" })).jobs.map((job) => job.id)).toEqual([ids[9], ids[4]]);

    // A retry: FAILED and cancelled back to PENDING, cancelRequested cleared.
    await store.transition(ids[4]!, "PENDING", { clear: ["error", "cancelRequested"] });
    await store.delete(ids[0]!);
    await store.delete(ids[10]!);
    await expectIndexesMatch(TEAM);
    await expectFiltersAgree(TEAM, resources);
    expect((await store.list({ teamId: TEAM, status: "CANCELLED" })).jobs.map((job) => job.id)).toEqual([ids[9]]);
    expect(JSON.stringify(await secondaryIndexes(TEAM))).not.toMatch(new RegExp(`${ids[0]}|${ids[10]}`));
  });

  it("lists every team's matches newest first when no team is given", async () => {
    const ids: { id: string; team: string }[] = [];
    for (let i = 0; i < 9; i++) {
      const team = ["team_a", "team_b", "team_c"][i % 3]!;
      ids.push({ id: (await store.create(input({ teamId: team, type: i % 2 ? "dataroom" : "document" }))).id, team });
    }
    const datarooms = ids.filter((_, i) => i % 2).map((entry) => entry.id).reverse();
    const listed = await store.list({ type: "dataroom" }, { limit: 500 });
    expect(listed.jobs.map((job) => job.id)).toEqual(datarooms);
    expect(listed.total).toBe(4);
    const paged: string[] = [];
    for (let offset = 0; offset < 4; offset += 3) paged.push(...(await store.list({ type: "dataroom" }, { offset, limit: 3 })).jobs.map((job) => job.id));
    expect(paged).toEqual(datarooms);
  });
});

describe("two filters at once on a Redis without ZINTERCARD (before 7.0)", () => {
  it("counts the intersection by walking the smallest index", async () => {
    const older = await TestRedisServer.start({ args: ["--rename-command", "ZINTERCARD", ""] });
    const client = older.client();
    try {
      expect(await client.call("ZINTERCARD", "1", "x").catch((error: Error) => error.message)).toMatch(/unknown command/);
      let clock = Date.parse("2026-02-01T00:00:00.000Z");
      const olderStore = new JobStore(client, { prefix, ttlSeconds: 3600, now: () => new Date((clock += 1000)) });
      const expected: string[] = [];
      for (let i = 0; i < 9; i++) {
        const job = await olderStore.create(input({ type: i % 3 ? "document" : "dataroom", resourceId: i % 2 ? "doc_a" : "doc_b" }));
        if (i % 3 && i % 2) expected.unshift(job.id);
      }
      const filter = { teamId: TEAM, type: "document" as const, resourceId: "doc_a" };
      expect((await olderStore.list(filter)).jobs.map((job) => job.id)).toEqual(expected);
      const second = await olderStore.list(filter, { offset: 1, limit: 1 });
      expect(second.jobs.map((job) => job.id)).toEqual([expected[1]]);
      expect(second.total).toBe(expected.length);
    } finally {
      client.disconnect();
      await older.close();
    }
  });
});

describe("a type filter with the web app's records of that type on a Redis without ZINTERCARD (before 7.0)", () => {
  it("leaves them out of the index window and lists each once, with the right total", async () => {
    const older = await TestRedisServer.start({ args: ["--rename-command", "ZINTERCARD", ""] });
    const client = older.client();
    try {
      let clock = Date.parse("2026-02-01T00:00:00.000Z");
      const olderStore = new JobStore(client, { prefix, ttlSeconds: 3600, now: () => new Date((clock += 1000)) });
      const expected: string[] = [];
      for (let i = 0; i < 4; i++) {
        expected.unshift((await olderStore.create(input())).id);
        const id = `doc_web_${i}`;
        const at = new Date(clock + 500).toISOString(); // between ours
        await client.setex(olderStore.keys.job(id), 3600, JSON.stringify({ id, type: "document", status: "COMPLETED", resourceId: "doc_a", userId: "user_web", teamId: TEAM, createdAt: at, updatedAt: at }));
        await client.zadd(olderStore.keys.teamIndex(TEAM), Date.parse(at), id);
        expected.unshift(id);
      }
      await olderStore.create(input({ type: "dataroom", resourceId: "room_x" })); // matches neither filter
      for (const filter of [{ type: "document" as const }, { resourceId: "doc_a" }]) {
        const label = JSON.stringify(filter);
        expect((await olderStore.list({ teamId: TEAM, ...filter })).jobs.map((job) => job.id), label).toEqual(expected);
        for (let offset = 0; offset < expected.length; offset += 3) {
          const page = await olderStore.list({ teamId: TEAM, ...filter }, { offset, limit: 3 });
          expect(page.jobs.map((job) => job.id), `${label} at ${offset}`).toEqual(expected.slice(offset, offset + 3));
          expect(page.total, `${label} at ${offset}`).toBe(expected.length);
        }
      }
      expect(await client.zcard(olderStore.keys.teamTypeIndex(TEAM, "document"))).toBe(8);
    } finally {
      client.disconnect();
      await older.close();
    }
  });
});

describe("backfill: jobs written before the indexes existed", () => {
  const at = (minute: number) => new Date(Date.UTC(2026, 0, 5, 9, minute)).toISOString();
  const oldJob = (i: number, fields: Partial<ExportJobSummary> = {}): ExportJobSummary => ({
    id: `old_${String(i).padStart(3, "0")}`,
    type: JOB_TYPES[i % 3]!,
    status: (["PENDING", "PROCESSING", "COMPLETED", "FAILED"] as const)[i % 4]!,
    resourceId: `doc_${i % 2}`,
    userId: "user_1",
    teamId: TEAM,
    createdAt: at(i),
    updatedAt: at(i),
    ...(i % 8 === 7 ? { cancelRequested: true, error: "Cancelled by user" } : {}),
    ...fields,
  });

  it("files them on the first filtered listing and lists the right jobs", async () => {
    await writeJobRecords(redis, prefix, Array.from({ length: 30 }, (_, i) => oldJob(i)));
    await writeWebAppJob("webapp_1", at(40), { status: "COMPLETED", resourceId: "doc_0" });
    await writeJobRecords(redis, prefix, [oldJob(41, { id: "broken_1", status: "EXPLODED" as never })]);
    await writeJobRecords(redis, prefix, [oldJob(42, { id: "theirs_1", teamId: "team_b" })]);
    await redis.zadd(store.keys.teamIndex(TEAM), Date.parse(at(43)), "theirs_1"); // listed by the wrong team
    await redis.zadd(store.keys.teamIndex(TEAM), Date.parse(at(44)), "expired_1"); // its record is gone
    expect(await secondaryIndexes(TEAM)).toEqual({});
    expect(await redis.exists(store.keys.teamIndexVersion(TEAM))).toBe(0);

    const failed = await store.list({ teamId: TEAM, status: "FAILED" }, { limit: 500 });
    expect(failed.jobs.map((job) => job.id)).toEqual(["old_027", "old_019", "old_011", "old_003"]);
    expect(failed.total).toBe(4);
    expect(failed.malformed.map((record) => record.id)).toEqual(["broken_1"]);
    expect(await redis.get(store.keys.teamIndexVersion(TEAM))).toBe(INDEX_VERSION);
    expect(await redis.zscore(store.keys.teamIndex(TEAM), "theirs_1")).toBeNull();
    expect(await redis.zscore(store.keys.teamIndex(TEAM), "expired_1")).toBeNull();
    await expectIndexesMatch(TEAM, ["webapp_1", "broken_1"]);
    await expectFiltersAgree(TEAM, ["doc_0", "doc_1"]);
    expect((await store.list({ teamId: TEAM, status: "COMPLETED", resourceId: "doc_0" })).jobs.map((job) => job.id)).toEqual([
      "webapp_1",
      "old_026",
      "old_022",
      "old_018",
      "old_014",
      "old_010",
      "old_006",
      "old_002",
    ]);
    // Filed once: the next listing reads its page and the unindexed records (broken_1 is the one hash among them).
    expect(await recordsRead(redis, () => store.list({ teamId: TEAM, status: "PENDING" }, { limit: 3 }))).toBe(3 + 1);
  });

  it("files a record once when a write reached it before the backfill", async () => {
    await writeJobRecords(redis, prefix, Array.from({ length: 6 }, (_, i) => oldJob(i, { status: "PENDING" })));
    await store.transition("old_002", "PROCESSING");
    await store.cancel("old_004");
    const created = await store.create(input());
    expect((await store.list({ teamId: TEAM, status: "PENDING" })).jobs.map((job) => job.id)).toEqual([created.id, "old_005", "old_003", "old_001", "old_000"]);
    await expectIndexesMatch(TEAM);
    await expectFiltersAgree(TEAM, ["doc_0", "doc_1"]);
  });

  it("files in batches: a team with more jobs than one batch", async () => {
    const jobs = Array.from({ length: 1234 }, (_, i) => oldJob(i, { createdAt: new Date(Date.UTC(2026, 0, 5) + i * 1000).toISOString() }));
    await writeJobRecords(redis, prefix, jobs);
    const completed = jobs.filter((job) => jobStateOf(job) === "COMPLETED").map((job) => job.id).reverse();
    const listed = await store.list({ teamId: TEAM, status: "COMPLETED" }, { offset: 300, limit: 5 });
    expect(listed.jobs.map((job) => job.id)).toEqual(completed.slice(300, 305));
    expect(listed.total).toBe(completed.length);
    await expectIndexesMatch(TEAM);
  });
});

describe("the web app's records (not indexed: read one by one)", () => {
  it("are listed by their current status, merged in order, when added or removed after the backfill", async () => {
    const ours: string[] = [];
    for (let i = 0; i < 4; i++) ours.push((await store.create(input())).id);
    await store.list({ teamId: TEAM, status: "PENDING" }); // indexed from here on
    // Between our second and third job.
    const between = new Date(Date.parse("2026-02-01T00:00:02.500Z")).toISOString();
    await writeWebAppJob("webapp_1", between);
    expect((await store.list({ teamId: TEAM, status: "PENDING" })).jobs.map((job) => job.id)).toEqual([ours[3], ours[2], "webapp_1", ours[1], ours[0]]);
    for (let offset = 0; offset < 5; offset++) {
      const page = await store.list({ teamId: TEAM, status: "PENDING" }, { offset, limit: 1 });
      expect(page.jobs.map((job) => job.id)).toEqual([[ours[3], ours[2], "webapp_1", ours[1], ours[0]][offset]]);
      expect(page.total).toBe(5);
    }

    // The web app's runner finishes it, without us.
    await writeWebAppJob("webapp_1", between, { status: "COMPLETED" });
    expect((await store.list({ teamId: TEAM, status: "PENDING" })).total).toBe(4);
    expect((await store.list({ teamId: TEAM, status: "COMPLETED" })).jobs.map((job) => job.id)).toEqual(["webapp_1"]);
    expect((await store.list({ teamId: TEAM, type: "dataroom" })).jobs.map((job) => job.id)).toEqual(["webapp_1"]);

    // The web app deletes it (record and index entry).
    await redis.del(store.keys.job("webapp_1"));
    await redis.zrem(store.keys.teamIndex(TEAM), "webapp_1");
    expect((await store.list({ teamId: TEAM, status: "COMPLETED" })).total).toBe(0);
    await expectIndexesMatch(TEAM);
  });
});

describe("the web app's records in the type and resource indexes (their type and resource never change)", () => {
  const minute = (i: number) => new Date(Date.UTC(2026, 0, 10) + i * 1000).toISOString();

  it("a type or resource filter that excludes them reads about a page, and lists the ones that match with the right total", async () => {
    const ours: string[] = [];
    for (let i = 0; i < 10; i++) ours.unshift((await store.create(input())).id);
    // 500 of the web app's records that no filter below matches, and 3 that match (older than ours).
    const pipeline = redis.pipeline();
    for (let i = 0; i < 500; i++) {
      const id = `webapp_${String(i).padStart(3, "0")}`;
      const record = { id, type: "dataroom", status: "COMPLETED", resourceId: "dr_1", userId: "user_web", teamId: TEAM, createdAt: minute(i), updatedAt: minute(i) };
      pipeline.setex(store.keys.job(id), 3600, JSON.stringify(record)).zadd(store.keys.teamIndex(TEAM), Date.parse(minute(i)), id);
    }
    await pipeline.exec();
    const theirs = ["doc_web_2", "doc_web_1", "doc_web_0"];
    for (let i = 0; i < 3; i++) await writeWebAppJob(`doc_web_${i}`, minute(600 + i), { type: "document", resourceId: "doc_a" });
    await store.list({ teamId: TEAM, status: "PENDING" }); // files them

    for (const filter of [{ type: "document" as const }, { resourceId: "doc_a" }, { type: "document" as const, resourceId: "doc_a" }]) {
      const label = JSON.stringify(filter);
      let page: Awaited<ReturnType<typeof store.list>> | undefined;
      const strings = await stringsRead(redis, async () => {
        const hashes = await recordsRead(redis, async () => (page = await store.list({ teamId: TEAM, ...filter }, { limit: 5 })));
        expect(hashes, label).toBe(5);
      });
      expect(strings, label).toBeLessThanOrEqual(3 + 1); // the 3 that match and the version marker, not the 500
      expect(page!.jobs.map((job) => job.id), label).toEqual(ours.slice(0, 5));
      expect(page!.total, label).toBe(13);
      const last = await store.list({ teamId: TEAM, ...filter }, { offset: 9, limit: 5 });
      expect(last.jobs.map((job) => job.id), label).toEqual([ours[9], ...theirs]);
      expect(last.total, label).toBe(13);
    }
    const datarooms = await store.list({ teamId: TEAM, type: "dataroom", resourceId: "dr_1" }, { offset: 498, limit: 5 });
    expect(datarooms.jobs.map((job) => job.id)).toEqual(["webapp_001", "webapp_000"]);
    expect(datarooms.total).toBe(500);
    expect((await store.list({ teamId: TEAM, status: "COMPLETED", type: "dataroom" })).total).toBe(500);
    // A status filter alone still reads every one of them (their status is known only by reading).
    expect(await stringsRead(redis, () => store.list({ teamId: TEAM, status: "PENDING" }, { limit: 5 }))).toBeGreaterThanOrEqual(503);
    await expectIndexesMatch(TEAM, [...theirs, ...Array.from({ length: 500 }, (_, i) => `webapp_${String(i).padStart(3, "0")}`)]);
  });

  it("a record the web app deletes leaves the type and resource indexes at the next listing", async () => {
    const ours = await store.create(input());
    await writeWebAppJob("doc_web_0", minute(0), { type: "document", resourceId: "doc_a" });
    await writeWebAppJob("doc_web_1", minute(1), { type: "document", resourceId: "doc_a" });
    expect((await store.list({ teamId: TEAM, type: "document" })).jobs.map((job) => job.id)).toEqual([ours.id, "doc_web_1", "doc_web_0"]);
    expect(await redis.zscore(store.keys.teamTypeIndex(TEAM, "document"), "doc_web_1")).not.toBeNull();
    expect(await redis.zscore(store.keys.teamResourceIndex(TEAM, "doc_a"), "doc_web_1")).not.toBeNull();

    await redis.del(store.keys.job("doc_web_1"));
    await redis.zrem(store.keys.teamIndex(TEAM), "doc_web_1");
    const documents = await store.list({ teamId: TEAM, resourceId: "doc_a" });
    expect(documents.jobs.map((job) => job.id)).toEqual([ours.id, "doc_web_0"]);
    expect(documents.total).toBe(2);
    expect(await redis.zscore(store.keys.teamTypeIndex(TEAM, "document"), "doc_web_1")).toBeNull();
    expect(await redis.zscore(store.keys.teamResourceIndex(TEAM, "doc_a"), "doc_web_1")).toBeNull();
    expect(await redis.hexists(store.keys.teamResourceMap(TEAM), "doc_web_1")).toBe(0);
    await expectIndexesMatch(TEAM, ["doc_web_0"]);
  });
});

describe("an index does not vouch for its members", () => {
  it("moves a malformed record to the unindexed set and reports it in every filtered listing", async () => {
    const [a, b] = [await store.create(input()), await store.create(input())];
    await redis.hset(store.keys.job(a.id), "status", "EXPLODED");
    const pending = await store.list({ teamId: TEAM, status: "PENDING" });
    expect(pending.jobs.map((job) => job.id)).toEqual([b.id]);
    expect(pending.total).toBe(1);
    expect(pending.malformed).toEqual([{ id: a.id, reason: expect.stringMatching(/status/) }]);
    await expectIndexesMatch(TEAM, [a.id]); // out of its type and resource index too (the resource map names it)
    const completed = await store.list({ teamId: TEAM, status: "COMPLETED" });
    expect(completed.jobs).toEqual([]);
    expect(completed.malformed.map((record) => record.id)).toEqual([a.id]);
    await expect(store.delete(a.id)).resolves.toBe(true);
    await expectIndexesMatch(TEAM);
  });

  it("lists a record changed outside the scripts by what it says, not by where it was filed", async () => {
    const [a, b] = [await store.create(input()), await store.create(input())];
    await redis.hset(store.keys.job(a.id), { status: "FAILED", error: "set by hand" });
    const pending = await store.list({ teamId: TEAM, status: "PENDING" });
    expect(pending.jobs.map((job) => job.id)).toEqual([b.id]);
    expect(pending.total).toBe(1);
    expect((await store.list({ teamId: TEAM, status: "FAILED" })).jobs.map((job) => job.id)).toEqual([a.id]);
    expect(await redis.zrange(store.keys.teamUnindexed(TEAM), "0", "-1")).toEqual([a.id]);
    // Its next write (a retry) files it again.
    await store.transition(a.id, "PENDING", { clear: ["error"] });
    await expectIndexesMatch(TEAM);
  });

  it("lists and counts once a record both unindexed and in an index, and parks one filed under another state", async () => {
    const [a, b, c] = [await store.create(input()), await store.create(input()), await store.create(input())];
    await store.list({ teamId: TEAM, status: "PENDING" }); // indexed
    const score = await redis.zscore(store.keys.teamIndex(TEAM), a.id);
    await redis.zadd(store.keys.teamUnindexed(TEAM), score!, a.id); // a: in the PENDING index and unindexed
    await redis.zadd(store.keys.teamStateIndex(TEAM, "FAILED"), score!, b.id); // b: in the PENDING and FAILED indexes
    await redis.zrem(store.keys.teamStateIndex(TEAM, "PENDING"), b.id);
    const documents = await store.list({ teamId: TEAM, type: "document" });
    // b is on the page but not filed under its state (PENDING): it moves to the unindexed set, listed from there next time.
    expect(documents.jobs.map((job) => job.id)).toEqual([c.id, a.id]);
    expect(documents.total).toBe(2);
    await expectIndexesMatch(TEAM, [a.id, b.id]);
    const again = await store.list({ teamId: TEAM, type: "document" });
    expect(again.jobs.map((job) => job.id)).toEqual([c.id, b.id, a.id]);
    expect(again.total).toBe(3);
  });

  it("never lists another team's record found in a team's secondary index (item 5)", async () => {
    const ours = await store.create(input({ teamId: "team_b" }));
    const theirs = await store.create(input({ teamId: "team_x" }));
    const score = Date.now();
    for (const key of [store.keys.teamIndex("team_b"), store.keys.teamStateIndex("team_b", "PENDING"), store.keys.teamTypeIndex("team_b", "document")]) await redis.zadd(key, score, theirs.id);
    const stray = await store.create(input({ teamId: "team_x" })); // in team_b's resource index only
    await redis.zadd(store.keys.teamResourceIndex("team_b", "doc_a"), score, stray.id);
    for (const filter of [{ status: "PENDING" as const }, { type: "document" as const }, { resourceId: "doc_a" }]) {
      const page = await store.list({ teamId: "team_b", ...filter });
      expect(page.jobs.map((job) => job.id), JSON.stringify(filter)).toEqual([ours.id]);
      expect(page.total, JSON.stringify(filter)).toBe(1);
    }
    await expectIndexesMatch("team_b");
    expect((await store.list({ teamId: "team_x", status: "PENDING" })).jobs.map((job) => job.id)).toEqual([stray.id, theirs.id]);
  });

  it("prunes an expired record from each index it is read from", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await store.create(input({ type: i % 2 ? "dataroom" : "document" }))).id);
    await redis.del(store.keys.job(ids[1]!), store.keys.job(ids[2]!));
    const documents = await store.list({ teamId: TEAM, type: "document" });
    expect(documents.jobs.map((job) => job.id)).toEqual([ids[4], ids[0]]);
    expect(documents.total).toBe(2);
    // The page's read pruned ids[2] from every index of the team, its resource index too; ids[1], a dataroom, was not read.
    for (const key of [store.keys.teamIndex(TEAM), store.keys.teamStateIndex(TEAM, "PENDING"), store.keys.teamTypeIndex(TEAM, "document"), store.keys.teamResourceIndex(TEAM, "doc_a")]) {
      expect(await redis.zscore(key, ids[2]!), unprefixed(key)).toBeNull();
    }
    expect(await redis.hexists(store.keys.teamResourceMap(TEAM), ids[2]!)).toBe(0);
    expect(await redis.zscore(store.keys.teamResourceIndex(TEAM, "doc_a"), ids[1]!)).not.toBeNull();
    const datarooms = await store.list({ teamId: TEAM, type: "dataroom" });
    expect(datarooms.jobs.map((job) => job.id)).toEqual([ids[3]]);
    expect(datarooms.total).toBe(1);
    expect((await store.list({ teamId: TEAM, resourceId: "doc_a" })).total).toBe(3);
    expect(JSON.stringify(await secondaryIndexes(TEAM))).not.toMatch(new RegExp(`${ids[1]}|${ids[2]}`));
    await expectIndexesMatch(TEAM);
  });
});

/**
 * Runs `step` once, just before the next call of the store script `name` (on `client`) whose
 * KEYS include `key`, then lets the call go ahead: another writer acting between two of a
 * listing's reads. The store calls its scripts through the connection's defineCommand methods.
 */
function beforeScriptWith(client: Redis, name: string, key: string, step: () => Promise<unknown>): void {
  const commands = client as unknown as Record<string, (...args: (string | number)[]) => Promise<unknown>>;
  const original = commands[name]!;
  let done = false;
  commands[name] = async (...args) => {
    const keys = args.slice(1, 1 + Number(args[0]));
    if (!done && keys.includes(key)) {
      done = true;
      await step();
    }
    return original.apply(client, args);
  };
}

/** Every offset of `filter`, one job per page: the job expected there, and the same total on every page. */
async function expectPagesOfOne(team: string, filter: JobFilter, expected: readonly string[]): Promise<void> {
  const label = JSON.stringify(filter);
  for (let offset = 0; offset <= expected.length; offset++) {
    const page = await store.list({ teamId: team, ...filter }, { offset, limit: 1 });
    expect(page.jobs.map((job) => job.id), `${label} at ${offset}`).toEqual(expected.slice(offset, offset + 1));
    expect(page.total, `${label} at ${offset}`).toBe(expected.length);
  }
}

describe("a job that changes state while its page is read (a race)", () => {
  it("is skipped, stays filed under its new state (not parked) and is counted like the next page counts", async () => {
    const [a, b, c] = [await store.create(input()), await store.create(input()), await store.create(input())];
    for (const job of [a, b, c]) await store.transition(job.id, "PROCESSING", { patch: { runId: "run1" } });
    // Another process lists PROCESSING; between its index window and its read of the page, b completes.
    const client = server.client();
    try {
      const lister = new JobStore(client, { prefix, ttlSeconds: 3600 });
      await lister.list({ teamId: TEAM, status: "PROCESSING" }); // indexed: the next listing reads the window, then the page
      beforeScriptWith(client, "exportJobSummaries", store.keys.job(b.id), () => store.transition(b.id, "COMPLETED", { runId: "run1", patch: { result: "a\n" } }));
      const processing = await lister.list({ teamId: TEAM, status: "PROCESSING" });
      expect((await store.getSummary(b.id))?.status).toBe("COMPLETED"); // the race did happen
      expect(processing.jobs.map((job) => job.id)).toEqual([c.id, a.id]);
      expect(processing.total).toBe(2);
    } finally {
      client.disconnect();
    }
    // Nothing was moved: b is in the COMPLETED, type and resource indexes, not in the unindexed set.
    await expectIndexesMatch(TEAM);
    expect(await redis.zcard(store.keys.teamUnindexed(TEAM))).toBe(0);
    const completed = await store.list({ teamId: TEAM, status: "COMPLETED" });
    expect(completed.jobs.map((job) => job.id)).toEqual([b.id]);
    expect(completed.total).toBe(1);
    await expectFiltersAgree(TEAM, ["doc_a"]);
  });

  it("still parks a job filed under its own state and another one (read from the other)", async () => {
    const [a, b] = [await store.create(input()), await store.create(input())];
    await store.list({ teamId: TEAM, status: "PENDING" }); // indexed
    await redis.zadd(store.keys.teamStateIndex(TEAM, "FAILED"), (await redis.zscore(store.keys.teamIndex(TEAM), a.id))!, a.id);
    const failed = await store.list({ teamId: TEAM, status: "FAILED" });
    expect(failed.jobs).toEqual([]);
    expect(failed.total).toBe(0);
    await expectIndexesMatch(TEAM, [a.id]);
    expect((await store.list({ teamId: TEAM, status: "PENDING" })).jobs.map((job) => job.id)).toEqual([b.id, a.id]);
  });
});

describe("a job whose record is gone leaves every index of its team (type and resource too)", () => {
  /** Seven jobs (documents on doc_a unless said), indexed; two documents on doc_a in the middle expire. Returns those two. */
  async function teamWithTwoExpired(): Promise<string[]> {
    const specs: Partial<NewJob>[] = [{}, { type: "dataroom" }, { resourceId: "doc_b" }, {}, {}, { type: "dataroom" }, {}];
    const ids: string[] = [];
    for (const spec of specs) ids.push((await store.create(input(spec))).id);
    await store.list({ teamId: TEAM, status: "PENDING" }); // indexed
    // Their records expire (the hashes' TTL passed) while the index entries remain.
    const gone = [ids[3]!, ids[4]!];
    await redis.del(...gone.map((id) => store.keys.job(id)));
    return gone;
  }

  it.each([
    ["the unfiltered listing", {}],
    ["a status listing", { status: "PENDING" as const }],
    ["a type listing", { type: "document" as const }],
    ["a resource listing", { resourceId: "doc_a" }],
  ])("once %s found them gone, every filter has one total and no empty page before its end", async (_, found: JobFilter) => {
    const gone = await teamWithTwoExpired();
    const first = await store.list({ teamId: TEAM, ...found }, { limit: 50 });
    expect(first.jobs.map((job) => job.id)).not.toContain(gone[0]);
    const all = (await store.list({ teamId: TEAM }, { limit: 50 })).jobs;
    expect(all).toHaveLength(5);
    for (const filter of [{ type: "document" }, { type: "dataroom" }, { resourceId: "doc_a" }, { type: "document", resourceId: "doc_a" }, { status: "PENDING", resourceId: "doc_a" }] as JobFilter[]) {
      await expectPagesOfOne(TEAM, filter, all.filter((job) => matches(job, filter)).map((job) => job.id));
    }
    await expectIndexesMatch(TEAM);
  });

  it("when the web app deleted one of ours (its record and its team index entry)", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await store.create(input({ type: i % 2 ? "dataroom" : "document" }))).id);
    await store.list({ teamId: TEAM, status: "PENDING" }); // indexed
    await redis.del(store.keys.job(ids[2]!));
    await redis.zrem(store.keys.teamIndex(TEAM), ids[2]!);
    await store.list({ teamId: TEAM, status: "FAILED" }); // the counts differ: the indexes catch up
    await expectPagesOfOne(TEAM, { resourceId: "doc_a" }, [ids[3]!, ids[1]!, ids[0]!]);
    await expectPagesOfOne(TEAM, { type: "document" }, [ids[0]!]);
    await expectIndexesMatch(TEAM);
  });

  it("when a job the team index no longer lists is written", async () => {
    const [a, b] = [await store.create(input()), await store.create(input())];
    await store.list({ teamId: TEAM, status: "PENDING" }); // indexed
    await redis.zrem(store.keys.teamIndex(TEAM), a.id);
    await store.transition(a.id, "PROCESSING");
    await expectPagesOfOne(TEAM, { resourceId: "doc_a" }, [b.id]);
    await expectPagesOfOne(TEAM, { type: "document" }, [b.id]);
    await expectIndexesMatch(TEAM);
  });

  it("when the team was indexed under another layout: it is indexed again, from scratch", async () => {
    const [a, b] = [await store.create(input()), await store.create(input({ resourceId: "doc_b" }))];
    await store.list({ teamId: TEAM, status: "PENDING" }); // indexed
    // What an older layout left: entries of a job the team index no longer lists.
    for (const key of [store.keys.teamStateIndex(TEAM, "PENDING"), store.keys.teamTypeIndex(TEAM, "document"), store.keys.teamResourceIndex(TEAM, "doc_a")]) {
      await redis.zadd(key, 1, "old_gone");
    }
    await redis.set(store.keys.teamIndexVersion(TEAM), "0");
    await expectPagesOfOne(TEAM, { resourceId: "doc_a" }, [a.id]);
    await expectIndexesMatch(TEAM);
    expect(await redis.get(store.keys.teamIndexVersion(TEAM))).toBe(INDEX_VERSION);
    await expectPagesOfOne(TEAM, { type: "document" }, [b.id, a.id]);
  });
});

describe("expired records leave every index at the next listing of their team, read or not (defect 1)", () => {
  /**
   * What a store with a 1 s TTL would have written (the settings allow no TTL under 60 s):
   * each record expires within a second, and its entry in the team's expiry set says when.
   */
  async function expireWithinASecond(ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      await redis.pexpire(store.keys.job(id), 1000);
      await redis.zadd(store.keys.teamExpiry(TEAM), Number(await redis.call("PEXPIRETIME", store.keys.job(id))), id);
    }
  }

  /** Polls (observing EXISTS, no fixed sleep) until none of the records exists. */
  async function untilGone(ids: readonly string[]): Promise<void> {
    while ((await redis.exists(...ids.map((id) => store.keys.job(id)))) > 0) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  it.each([
    ["a status listing", { status: "PENDING" as const }],
    ["the unfiltered listing", {}],
  ])("%s of 30 jobs whose 25 oldest expired counts 5 on every page, none empty before the end", async (_, filter: JobFilter) => {
    const expiring: string[] = [];
    for (let i = 0; i < 25; i++) expiring.push((await store.create(input())).id);
    await expireWithinASecond(expiring);
    const kept: string[] = [];
    for (let i = 0; i < 5; i++) kept.push((await store.create(input())).id);
    await untilGone(expiring);
    const newestFirst = [...kept].reverse();
    for (const limit of [10, 1]) {
      for (let offset = 0; offset <= 30; offset += limit) {
        const page = await store.list({ teamId: TEAM, ...filter }, { offset, limit });
        expect(page.jobs.map((job) => job.id), `limit ${limit} at ${offset}`).toEqual(newestFirst.slice(offset, offset + limit));
        expect(page.total, `limit ${limit} at ${offset}`).toBe(5);
      }
    }
    await expectIndexesMatch(TEAM);
    expect(Object.keys(await expiryEntries(TEAM)).sort()).toEqual([...kept].sort());
  });

  it("create, transition, the backfill and the web app's records write when each record expires", async () => {
    const a = await store.create(input());
    expect(await expiryEntries(TEAM)).toEqual(await expiryTimes([a.id]));
    await redis.expire(store.keys.job(a.id), 100);
    await store.transition(a.id, "PROCESSING");
    expect(await expiryEntries(TEAM)).toEqual(await expiryTimes([a.id]));
    await writeWebAppJob("webapp_1", "2026-03-01T00:00:00.000Z");
    await redis.pexpire(store.keys.job("webapp_1"), 500_000);
    await store.list({ teamId: TEAM, status: "PENDING" }); // files it (unindexed) with its TTL
    await expectIndexesMatch(TEAM, ["webapp_1"]);
    expect(Object.keys(await expiryEntries(TEAM)).sort()).toEqual([a.id, "webapp_1"].sort());
    // The web app refreshed its record's TTL since (its entry is due, the record is not gone): listed, and its entry moves on.
    await redis.zadd(store.keys.teamExpiry(TEAM), 1, "webapp_1");
    expect((await store.list({ teamId: TEAM })).jobs.map((job) => job.id)).toEqual(["webapp_1", a.id]);
    await expectIndexesMatch(TEAM, ["webapp_1"]);
    // Indexed again (another layout's marker): the rebuild writes the expiry entries too.
    await redis.del(store.keys.teamExpiry(TEAM));
    await redis.set(store.keys.teamIndexVersion(TEAM), "0");
    await store.list({ teamId: TEAM, status: "PENDING" });
    await expectIndexesMatch(TEAM, ["webapp_1"]);
    expect(Object.keys(await expiryEntries(TEAM)).sort()).toEqual([a.id, "webapp_1"].sort());
  });
});

describe("the layout version marker lives as long as the team index (defect 2)", () => {
  it("is refreshed by a transition, by filing the web app's records and by parking a misfiled one", async () => {
    const [a, b] = [await store.create(input()), await store.create(input())];
    const marker = store.keys.teamIndexVersion(TEAM);
    const lowered = () => redis.expire(marker, 100);
    await lowered();
    await store.transition(a.id, "PROCESSING");
    expect(await redis.ttl(marker), "transition").toBeGreaterThan(3000);
    await lowered();
    await writeWebAppJob("webapp_1", "2026-03-01T00:00:00.000Z");
    await store.list({ teamId: TEAM, status: "PENDING" }); // files it
    expect(await redis.zscore(store.keys.teamUnindexed(TEAM), "webapp_1")).not.toBeNull();
    expect(await redis.ttl(marker), "file").toBeGreaterThan(3000);
    await lowered();
    // b filed under FAILED too (by hand): the FAILED listing parks it.
    await redis.zadd(store.keys.teamStateIndex(TEAM, "FAILED"), (await redis.zscore(store.keys.teamIndex(TEAM), b.id))!, b.id);
    await store.list({ teamId: TEAM, status: "FAILED" });
    expect(await redis.zscore(store.keys.teamUnindexed(TEAM), b.id)).not.toBeNull();
    expect(await redis.ttl(marker), "park").toBeGreaterThan(3000);
    expect(await redis.get(marker)).toBe(INDEX_VERSION);
  });
});

describe("the web app replacing one of its records between two listings (defect 3)", () => {
  it("the first listing after lists the new record (the counts agreed)", async () => {
    const ours = await store.create(input());
    await writeWebAppJob("webapp_1", "2026-03-01T00:00:00.000Z");
    expect((await store.list({ teamId: TEAM, status: "PENDING" })).jobs.map((job) => job.id)).toEqual(["webapp_1", ours.id]);
    await redis.del(store.keys.job("webapp_1"));
    await redis.zrem(store.keys.teamIndex(TEAM), "webapp_1");
    await writeWebAppJob("webapp_2", "2026-03-02T00:00:00.000Z");
    const listed = await store.list({ teamId: TEAM, status: "PENDING" });
    expect(listed.jobs.map((job) => job.id)).toEqual(["webapp_2", ours.id]);
    expect(listed.total).toBe(2);
    await expectIndexesMatch(TEAM, ["webapp_2"]);
  });
});
