import type { Redis } from "ioredis";
import type { ExportJob, JobFilter } from "../../shared/job";
import { decodeHashJob, encodeFields } from "../../electron/core/jobs/job-codec";
import { jobKeys } from "../../electron/core/jobs/job-keys";
import { JobStore } from "../../electron/core/jobs/job-store";
import { recordsRead } from "../helpers/redis-inspect";
import { TestRedisServer } from "../helpers/redis-server";
import { progress, type BenchResult } from "./bench-context";
import { median, summarize, type Summary } from "./stats";
import { fmtBytes, fmtInt, fmtMs, fmtRatio, type Table } from "./table";

/*
 * Benchmark 2: the first page (50) of a team's jobs with 10,000 and 100,000 jobs, through
 * JobStore.list (ZREVRANGE + one Lua HMGET of summary fields), against a naive listing that
 * HGETALLs every job of the page. Some completed jobs on that page carry a 1 MB CSV: the
 * bytes Redis sends per call show whether it was read.
 * Then filtered first pages over the 100,000 jobs (issue 10 item 9, goal ≤ 50 ms): state,
 * type, resource and two filters at once read the team's secondary indexes; a search still
 * scans (at most DEFAULT_MAX_SCANNED records). The jobs are written in the layout from
 * before the secondary indexes, so the first filtered listing of each team indexes them
 * (the backfill), timed once.
 */

const SIZES = [10_000, 100_000];
const CALLS = 50;
const PAGE = 50;
/** The filtered listings measured on the 100,000-job team. */
const FILTERED_JOBS = 100_000;
const FILTERS: { label: string; filter: JobFilter }[] = [
  { label: "status FAILED", filter: { status: "FAILED" } },
  { label: "type dataroom", filter: { type: "dataroom" } },
  { label: "resource doc_5", filter: { resourceId: "doc_5" } },
  { label: "status COMPLETED + type dataroom", filter: { status: "COMPLETED", type: "dataroom" } },
  { label: "search \"Document 5\" (scans)", filter: { search: "Document 5" } },
];
const ONE_MB_CSV = `${"Viewed at,Name,Email\n".repeat(Math.ceil(2 ** 20 / 21))}`.slice(0, 2 ** 20);
/** Jobs (newest first) that carry a 1 MB CSV: 10 on the first page, 10 further down. */
const BIG_RESULT_RANKS = new Set([0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 100, 500, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 9000]);

export interface FilteredListingRow {
  label: string;
  filter: JobFilter;
  time: Summary;
  /** Job records Redis read per call (HMGET calls, scripts' included). */
  recordsRead: number;
  total: number;
  scanLimited: boolean;
}

export interface StoreListingRow {
  jobs: number;
  listing: "JobStore.list" | "naive HGETALL";
  time: Summary;
  bytesPerCall: number;
  jobsReturned: number;
}

function teamOf(size: number): string {
  return `bench_team_${size}`;
}

function jobAt(team: string, rank: number, nowMs: number): ExportJob {
  const created = new Date(nowMs - rank * 60_000 - 1).toISOString();
  const status = BIG_RESULT_RANKS.has(rank) ? "COMPLETED" : rank % 7 === 3 ? "FAILED" : rank % 11 === 1 ? "PROCESSING" : "COMPLETED";
  const done = status === "COMPLETED";
  return {
    id: `${team}-${String(rank).padStart(6, "0")}`,
    type: rank % 3 === 0 ? "dataroom" : "document",
    status,
    resourceId: `doc_${rank % 113}`,
    resourceName: `Document ${rank % 113}`,
    userId: `user_${rank % 7}`,
    teamId: team,
    createdAt: created,
    updatedAt: created,
    ...(done ? { completedAt: created, result: BIG_RESULT_RANKS.has(rank) ? ONE_MB_CSV : "Viewed at,Name\n2026-01-01T00:00:00.000Z,Alice" } : {}),
    ...(status === "FAILED" ? { error: "RETRIES_EXHAUSTED: Tinybird failed after 6 tries: HTTP 503" } : {}),
    progress: done ? 120 : 40,
    total: 120,
    attempts: 1,
  };
}

/**
 * Writes `count` records in the store's hash layout from before the secondary indexes
 * (record, team and user index), 1,000 per pipeline.
 */
async function writeJobs(redis: Redis, team: string, count: number, nowMs: number, ttlSeconds: number): Promise<void> {
  const keys = jobKeys("");
  for (let start = 0; start < count; start += 1000) {
    const pipeline = redis.pipeline();
    for (let rank = start; rank < Math.min(count, start + 1000); rank++) {
      const job = jobAt(team, rank, nowMs);
      const score = Date.parse(job.createdAt);
      pipeline.hset(keys.job(job.id), encodeFields(job));
      pipeline.expire(keys.job(job.id), ttlSeconds);
      pipeline.zadd(keys.teamIndex(team), score, job.id);
      pipeline.zadd(keys.userIndex(job.userId), score, job.id);
    }
    pipeline.expire(keys.teamIndex(team), ttlSeconds);
    const results = await pipeline.exec();
    const failed = results?.find(([error]) => error);
    if (failed) throw failed[0];
  }
}

async function outputBytes(redis: Redis): Promise<number> {
  const info = await redis.info("stats");
  const match = /total_net_output_bytes:(\d+)/.exec(info);
  if (!match) throw new Error("INFO stats has no total_net_output_bytes");
  return Number(match[1]);
}

/** The naive listing: the page's ids, then every field of every job on it. */
async function naiveList(redis: Redis, team: string): Promise<number> {
  const keys = jobKeys("");
  const ids = await redis.zrevrange(keys.teamIndex(team), 0, PAGE - 1);
  const pipeline = redis.pipeline();
  for (const id of ids) pipeline.hgetall(keys.job(id));
  const results = (await pipeline.exec()) ?? [];
  let decoded = 0;
  for (const [error, raw] of results) {
    if (error) throw error;
    const job = decodeHashJob(raw as Record<string, string>);
    if (job.ok) decoded += 1;
  }
  return decoded;
}

export async function runStoreListing(): Promise<BenchResult> {
  const server = await TestRedisServer.start();
  const redis = server.client();
  const rows: StoreListingRow[] = [];
  const filtered: FilteredListingRow[] = [];
  const backfills: { jobs: number; ms: number }[] = [];
  try {
    const store = new JobStore(redis);
    const nowMs = Date.now();
    for (const size of SIZES) {
      const started = performance.now();
      await writeJobs(redis, teamOf(size), size, nowMs, store.ttlSeconds);
      progress(`store: wrote ${fmtInt(size)} job records (${BIG_RESULT_RANKS.size} with a 1 MB CSV) in ${fmtMs(performance.now() - started)}`);
    }
    // What an INFO round trip adds to the output counter by itself, to subtract.
    const empty: number[] = [];
    for (let i = 0; i < 20; i++) {
      const before = await outputBytes(redis);
      empty.push((await outputBytes(redis)) - before);
    }
    const infoOverhead = median(empty);

    /** Both sizes in turn, call after call, so neither gets the warmer process. */
    const measure = async (listing: StoreListingRow["listing"], call: (team: string) => Promise<number>) => {
      for (let i = 0; i < 10; i++) for (const size of SIZES) await call(teamOf(size)); // warm-up: scripts loaded, JIT, connection
      const times = new Map<number, number[]>(SIZES.map((size) => [size, []]));
      const bytes = new Map<number, number[]>(SIZES.map((size) => [size, []]));
      const returned = new Map<number, number>();
      for (let i = 0; i < CALLS; i++) {
        for (const size of SIZES) {
          const before = await outputBytes(redis);
          const t0 = performance.now();
          returned.set(size, await call(teamOf(size)));
          times.get(size)!.push(performance.now() - t0);
          bytes.get(size)!.push((await outputBytes(redis)) - before - infoOverhead);
        }
      }
      for (const size of SIZES) {
        const row: StoreListingRow = { jobs: size, listing, time: summarize(times.get(size)!), bytesPerCall: median(bytes.get(size)!), jobsReturned: returned.get(size)! };
        rows.push(row);
        progress(`store: ${fmtInt(size)} jobs, ${listing}: median ${fmtMs(row.time.median)}, ${fmtBytes(row.bytesPerCall)} per call`);
      }
    };

    await measure("JobStore.list", async (team) => {
      const result = await store.list({ teamId: team }, { limit: PAGE });
      if (result.jobs.length !== PAGE) throw new Error(`list returned ${result.jobs.length} jobs of ${result.total}`);
      return result.jobs.length;
    });
    await measure("naive HGETALL", (team) => naiveList(redis, team));

    for (const size of SIZES) {
      const started = performance.now();
      await store.list({ teamId: teamOf(size), status: "FAILED" }, { limit: PAGE });
      backfills.push({ jobs: size, ms: performance.now() - started });
      progress(`store: indexed ${fmtInt(size)} jobs written before the indexes (first filtered listing) in ${fmtMs(performance.now() - started)}`);
    }
    for (const { label, filter } of FILTERS) {
      const list = () => store.list({ teamId: teamOf(FILTERED_JOBS), ...filter }, { limit: PAGE });
      for (let i = 0; i < 10; i++) await list(); // warm-up
      const times: number[] = [];
      const reads: number[] = [];
      let last = await list();
      for (let i = 0; i < CALLS; i++) {
        let ms = 0;
        reads.push(
          await recordsRead(redis, async () => {
            const t0 = performance.now();
            last = await list();
            ms = performance.now() - t0;
          }),
        );
        times.push(ms);
      }
      if (last.jobs.length !== PAGE) throw new Error(`${label}: list returned ${last.jobs.length} jobs of ${last.total}`);
      const row: FilteredListingRow = { label, filter, time: summarize(times), recordsRead: median(reads), total: last.total, scanLimited: last.scanLimited === true };
      filtered.push(row);
      progress(`store: ${fmtInt(FILTERED_JOBS)} jobs, ${label}: median ${fmtMs(row.time.median)}, p95 ${fmtMs(row.time.p95)}, ${fmtInt(row.recordsRead)} records read`);
    }
  } finally {
    redis.disconnect();
    await server.close();
  }

  const find = (size: number, listing: StoreListingRow["listing"]) => rows.find((r) => r.jobs === size && r.listing === listing)!;
  const table: Table = {
    title: `Job store: first page (${PAGE}) of one team's jobs, private redis-server, ${CALLS} calls each`,
    columns: ["team's jobs", "listing", "median", "p95", "max", "bytes sent by Redis / call", "naive ÷ ours (time)", "naive ÷ ours (bytes)"],
    rows: [...rows].sort((x, y) => x.jobs - y.jobs).map((row) => {
      const ours = find(row.jobs, "JobStore.list");
      return [
        fmtInt(row.jobs),
        row.listing,
        fmtMs(row.time.median),
        fmtMs(row.time.p95),
        fmtMs(row.time.max),
        fmtBytes(row.bytesPerCall),
        row.listing === "naive HGETALL" ? fmtRatio(row.time.median / ours.time.median) : null,
        row.listing === "naive HGETALL" ? fmtRatio(row.bytesPerCall / ours.bytesPerCall, 0) : null,
      ];
    }),
    notes: [
      `10 of the ${PAGE} jobs on the first page (and 10 further down) are COMPLETED with a 1 MB CSV in \`result\`; the others carry a one-line CSV.`,
      "bytes = Redis INFO total_net_output_bytes after − before the call, minus what the INFO round trip adds by itself (median of 20 empty deltas).",
      `100,000 ÷ 10,000 jobs, JobStore.list median: ${fmtRatio(find(100_000, "JobStore.list").time.median / find(10_000, "JobStore.list").time.median, 2)} (ZREVRANGE of one page is O(log N + ${PAGE})).`,
      "Records were written with pipelines of HSET/EXPIRE/ZADD in the store's hash layout from before the secondary indexes (record, team and user index), not through store.create. Calls alternate between the two teams, after 10 warm-up calls each.",
    ],
  };
  const filteredTable: Table = {
    title: `Job store: filtered first page (${PAGE}) of one team's ${fmtInt(FILTERED_JOBS)} jobs, private redis-server, ${CALLS} calls each`,
    columns: ["filter", "median", "p95", "max", "records read / call", "matches (total)"],
    rows: filtered.map((row) => [row.label, fmtMs(row.time.median), fmtMs(row.time.p95), fmtMs(row.time.max), fmtInt(row.recordsRead), `${fmtInt(row.total)}${row.scanLimited ? " (scan limited)" : ""}`]),
    notes: [
      "records read = Redis HMGET calls during the call (one per hash record read, inside scripts too): recordsRead in test/helpers/redis-inspect.ts.",
      "State, type and resource read the team's secondary index; two filters intersect theirs (ZINTERCARD counts, the smallest index is walked for the page, in one read-only script). The search still reads records until it has seen DEFAULT_MAX_SCANNED of them; its total counts only those.",
      `First filtered listing of a team written before the indexes (the backfill, once per team): ${backfills.map((entry) => `${fmtInt(entry.jobs)} jobs in ${fmtMs(entry.ms)}`).join(", ")}.`,
      "10 warm-up calls per filter, then the calls one after another.",
    ],
  };
  const readme = [
    "**Job store listing** (first page of 50, private redis-server)",
    "",
    `| team's jobs | JobStore.list (median) | bytes / call | naive HGETALL of the page | bytes / call |`,
    "|---:|---:|---:|---:|---:|",
    ...SIZES.map((size) => {
      const ours = find(size, "JobStore.list");
      const naive = find(size, "naive HGETALL");
      return `| ${fmtInt(size)} | ${fmtMs(ours.time.median)} | ${fmtBytes(ours.bytesPerCall)} | ${fmtMs(naive.time.median)} | ${fmtBytes(naive.bytesPerCall)} |`;
    }),
    "",
    `First page of ${PAGE}; 10 jobs on it carry a 1 MB CSV, which the listing never reads.`,
    "",
    `**Filtered first page** (${PAGE}) of one team's ${fmtInt(FILTERED_JOBS)} jobs, ${CALLS} calls each:`,
    "",
    "| filter | median | p95 | records read / call | matches |",
    "|---|---:|---:|---:|---:|",
    ...filtered.map((row) => `| ${row.label} | ${fmtMs(row.time.median)} | ${fmtMs(row.time.p95)} | ${fmtInt(row.recordsRead)} | ${fmtInt(row.total)}${row.scanLimited ? " (scan limited)" : ""} |`),
    "",
    `Backfill (first filtered listing of a team written before the indexes): ${backfills.map((entry) => `${fmtInt(entry.jobs)} jobs in ${fmtMs(entry.ms)}`).join(", ")}.`,
  ];
  return { name: "store-listing", tables: [table, filteredTable], readme, data: { page: PAGE, calls: CALLS, rows, filtered, backfills } };
}
