import type { Redis } from "ioredis";
import type { ExportJobSummary } from "../../shared/job";
import { encodeFields } from "../../electron/core/jobs/job-codec";
import { jobKeys } from "../../electron/core/jobs/job-keys";

const WEEK_SECONDS = 7 * 24 * 3600;

/**
 * Writes job records straight into Redis, in the job store's hash layout, with fixed ids and
 * times: the screenshots show the same rows on every run, and 10,000 jobs take one pipeline.
 * No queue entry is made, so no runner ever picks them up.
 */
export async function writeJobRecords(redis: Redis, prefix: string, jobs: readonly ExportJobSummary[]): Promise<void> {
  const keys = jobKeys(prefix);
  for (let start = 0; start < jobs.length; start += 1000) {
    const pipeline = redis.pipeline();
    for (const job of jobs.slice(start, start + 1000)) {
      pipeline.hset(keys.job(job.id), encodeFields(job));
      pipeline.expire(keys.job(job.id), WEEK_SECONDS);
      pipeline.zadd(keys.teamIndex(job.teamId), Date.parse(job.createdAt), job.id);
      pipeline.zadd(keys.userIndex(job.userId), Date.parse(job.createdAt), job.id);
    }
    const results = await pipeline.exec();
    const failed = results?.find(([error]) => error);
    if (failed) throw failed[0];
  }
}

export const SHOWCASE_TEAM = "acme";

const at = (minute: number) => new Date(Date.UTC(2026, 2, 2, 9, minute, 0)).toISOString();

/** A team's worth of jobs in every state, for the screenshots. */
export function showcaseJobs(): ExportJobSummary[] {
  const base = { teamId: SHOWCASE_TEAM, attempts: 1 } as const;
  return [
    { ...base, id: "Vq3xK9mPz2LrT8wYb4NcD", type: "dataroom", status: "PROCESSING", resourceId: "dr_series_a", resourceName: "Series A Room", userId: "maria", createdAt: at(58), updatedAt: at(59), progress: 37, total: 90 },
    { ...base, id: "Hn7sQ2vLx9KcM4pZr6TgE", type: "dataroom-group", status: "PENDING", resourceId: "dr_series_a", resourceName: "Series A Room - Investors", groupId: "grp_investors", userId: "maria", createdAt: at(57), updatedAt: at(57), progress: 0, attempts: 0 },
    {
      ...base,
      id: "Bw5tR8yNq3JdF6hXk2VsA",
      type: "document",
      status: "FAILED",
      resourceId: "doc_board_q4",
      resourceName: "Board Update Q4",
      userId: "li.wei",
      createdAt: at(41),
      updatedAt: at(43),
      completedAt: at(43),
      progress: 12,
      total: 48,
      attempts: 3,
      error:
        "RETRIES_EXHAUSTED: Tinybird request get_page_duration_per_view__v5 failed after 4 attempts: 503 Service Unavailable (upstream timeout while reading the page_views data source). The export stopped at view 12 of 48; retry it once Tinybird is healthy.",
    },
    { ...base, id: "Kp2mW7cTz4QxL9vNb3RhJ", type: "document", status: "COMPLETED", resourceId: "doc_pitch", resourceName: "Pitch Deck 2026", userId: "maria", createdAt: at(30), updatedAt: at(31), completedAt: at(31), startedAt: at(30), progress: 128, total: 128, rows: 128, bytes: 24_310 },
    { ...base, id: "Zc8vB3nLq6TyH2kRm5XwP", type: "dataroom-group", status: "COMPLETED", resourceId: "dr_series_a", resourceName: "Series A Room - Advisors", groupId: "grp_advisors", userId: "sam", createdAt: at(22), updatedAt: at(24), completedAt: at(24), startedAt: at(22), progress: 342, total: 342, rows: 301, bytes: 88_517 },
    { ...base, id: "Mf4jX9sDp7WqK2cVt8LbN", type: "document", status: "FAILED", resourceId: "doc_old_terms", resourceName: "Term Sheet (old)", userId: "sam", createdAt: at(15), updatedAt: at(16), progress: 0, total: 6, error: "Cancelled by user", cancelRequested: true },
    { ...base, id: "Rt6yG2hNw8PzC4mXq7KsL", type: "dataroom", status: "COMPLETED", resourceId: "dr_customer", resourceName: "Customer Diligence", userId: "li.wei", createdAt: at(8), updatedAt: at(12), completedAt: at(12), startedAt: at(9), progress: 1024, total: 1024, rows: 1004, bytes: 301_877, warnings: ["20 document view(s) were left out because their dataroom visit is not part of this export"] },
    { ...base, id: "Wd3qL8vTk5NxB9rZc2FmH", type: "document", status: "COMPLETED", resourceId: "doc_one_pager", resourceName: "One Pager", userId: "maria", createdAt: at(2), updatedAt: at(2), completedAt: at(2), startedAt: at(2), progress: 0, total: 0, rows: 0, bytes: 192 },
  ];
}

export const BULK_TEAM = "bulk";

/** `count` completed jobs with fixed ids, one a minute back from 2026-01-01. */
export function bulkJobs(count: number): ExportJobSummary[] {
  const start = Date.UTC(2026, 0, 1);
  return Array.from({ length: count }, (_, index) => {
    const created = new Date(start - index * 60_000).toISOString();
    return {
      id: `bulk-${String(index).padStart(5, "0")}`,
      type: "document",
      status: "COMPLETED",
      resourceId: `doc-${index % 97}`,
      resourceName: `Document ${index % 97}`,
      userId: "bulk-user",
      teamId: BULK_TEAM,
      createdAt: created,
      updatedAt: created,
      completedAt: created,
      progress: 10,
      total: 10,
      attempts: 1,
    } satisfies ExportJobSummary;
  });
}
