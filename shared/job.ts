import { z } from "zod";
import { isoDateSchema, rangeError } from "./date-range";
import { idSchema } from "./ids";

export const JOB_TYPES = ["document", "dataroom", "dataroom-group"] as const;
export const JOB_STATUSES = ["PENDING", "PROCESSING", "COMPLETED", "FAILED"] as const;

export const jobTypeSchema = z.enum(JOB_TYPES);
export const jobStatusSchema = z.enum(JOB_STATUSES);
export type JobType = z.infer<typeof jobTypeSchema>;
export type JobStatus = z.infer<typeof jobStatusSchema>;

const isoTimestamp = z.iso.datetime({ offset: true, error: "must be an ISO-8601 timestamp" });

/** Enrichment modes an export can run in (`auto` picks one of these). All give the same CSV. */
export const ENRICHMENT_MODES = ["per-view", "batch", "sql"] as const;
export const enrichmentModeSchema = z.enum(ENRICHMENT_MODES);
export type EnrichmentMode = z.infer<typeof enrichmentModeSchema>;

/** CSV profiles: Papermark's exact bytes (default) or a spreadsheet-friendly variant. */
export const CSV_PROFILES = ["papermark", "spreadsheet"] as const;
export const csvProfileSchema = z.enum(CSV_PROFILES);
export type CsvProfile = z.infer<typeof csvProfileSchema>;
const count = z.number().int().nonnegative();

/**
 * The seed's ExportJob, field for field, plus this project's optional extras (progress,
 * total, attempts, cancelRequested) that no reader may require.
 */
export const exportJobSchema = z.object({
  id: idSchema,
  type: jobTypeSchema,
  status: jobStatusSchema,
  resourceId: idSchema,
  resourceName: z.string().optional(),
  groupId: idSchema.optional(),
  result: z.string().optional(),
  error: z.string().optional(),
  userId: z.string().min(1),
  teamId: idSchema,
  createdAt: isoTimestamp,
  updatedAt: isoTimestamp,
  completedAt: isoTimestamp.optional(),
  progress: count.optional(),
  total: count.optional(),
  attempts: count.optional(),
  cancelRequested: z.boolean().optional(),
  /** The date range asked for: views with viewedAt in [since, until] (UTC days, inclusive). */
  since: isoDateSchema.optional(),
  until: isoDateSchema.optional(),
  /** The CSV profile asked for. */
  profile: csvProfileSchema.optional(),
  /** When the current (or last) run started. */
  startedAt: isoTimestamp.optional(),
  /** The Tinybird enrichment mode that ran, and why it was chosen. */
  mode: enrichmentModeSchema.optional(),
  modeReason: z.string().max(500).optional(),
  /** Tinybird requests this job spent (all attempts). */
  tinybirdCalls: count.optional(),
  /** CSV rows written (views are counted by progress/total) and the file's size in bytes. */
  rows: count.optional(),
  bytes: count.optional(),
  /** What the exporter wants the user to know (e.g. document views left out). */
  warnings: z.array(z.string().max(1000)).max(50).optional(),
});
export type ExportJob = z.infer<typeof exportJobSchema>;

/** What a listing returns: everything but the CSV. */
export type ExportJobSummary = Omit<ExportJob, "result">;
export const exportJobSummarySchema = exportJobSchema.omit({ result: true });

/** Where a record came from: ours are hashes; Papermark's web app writes JSON strings. */
export type RecordEncoding = "hash" | "json";

/**
 * Allowed status changes. Same-status writes (progress, attempts) are allowed for the live
 * states only. COMPLETED is final; FAILED may be retried (back to PENDING).
 */
export const ALLOWED_TRANSITIONS: Readonly<Record<JobStatus, readonly JobStatus[]>> = {
  PENDING: ["PENDING", "PROCESSING", "FAILED"],
  PROCESSING: ["PROCESSING", "PENDING", "COMPLETED", "FAILED"],
  COMPLETED: [],
  FAILED: ["PENDING"],
};

export function canTransition(from: JobStatus, to: JobStatus): boolean {
  return ALLOWED_TRANSITIONS[from].includes(to);
}

/** Statuses from which `to` may be reached. */
export function sourcesOf(to: JobStatus): JobStatus[] {
  return JOB_STATUSES.filter((from) => canTransition(from, to));
}

export const ACTIVE_STATUSES: readonly JobStatus[] = ["PENDING", "PROCESSING"];

/**
 * What a job is, as people see it: its status, except that a FAILED record whose cancel was
 * requested is CANCELLED (the record keeps FAILED, which Papermark's web app understands).
 */
export const JOB_STATES = [...JOB_STATUSES, "CANCELLED"] as const;
export const jobStateSchema = z.enum(JOB_STATES);
export type JobState = z.infer<typeof jobStateSchema>;

export function jobStateOf(job: Pick<ExportJobSummary, "status" | "cancelRequested">): JobState {
  return job.status === "FAILED" && job.cancelRequested === true ? "CANCELLED" : job.status;
}

/** The record status behind a state (CANCELLED records are FAILED). */
export function recordStatusOf(state: JobState): JobStatus {
  return state === "CANCELLED" ? "FAILED" : state;
}

/** What an export may ask for besides its resource (also the REST create body). */
export const exportOptionsSchema = z
  .object({
    /** Only views with viewedAt in [since, until] (ISO dates, UTC days, inclusive). */
    since: isoDateSchema.optional(),
    until: isoDateSchema.optional(),
    /** The CSV profile (default Papermark's exact CSV). */
    profile: csvProfileSchema.optional(),
  })
  .strict();
export type ExportOptions = z.infer<typeof exportOptionsSchema>;

export const createExportInputSchema = z
  .object({
    type: jobTypeSchema,
    teamId: idSchema,
    resourceId: idSchema,
    groupId: idSchema.optional(),
    ...exportOptionsSchema.shape,
  })
  .strict()
  .superRefine((value, ctx) => {
    const range = rangeError(value);
    if (range) ctx.addIssue({ code: "custom", path: ["since"], message: range });
    if (value.type === "dataroom-group" && !value.groupId) {
      ctx.addIssue({ code: "custom", path: ["groupId"], message: "a dataroom-group export needs groupId" });
    }
    if (value.type !== "dataroom-group" && value.groupId) {
      ctx.addIssue({ code: "custom", path: ["groupId"], message: "groupId is only allowed for dataroom-group exports" });
    }
  });
export type CreateExportInput = z.infer<typeof createExportInputSchema>;

export const jobFilterSchema = z
  .object({
    teamId: idSchema.optional(),
    userId: z.string().min(1).max(128).optional(),
    /** A state (jobStateOf): FAILED leaves out the cancelled ones, CANCELLED lists only them. */
    status: jobStateSchema.optional(),
    type: jobTypeSchema.optional(),
    resourceId: idSchema.optional(),
    /** Case-insensitive substring of the job id, the resource name, the resource id or the group id. */
    search: z.string().max(200).optional(),
  })
  .strict();
export type JobFilter = z.infer<typeof jobFilterSchema>;

/** Whether a job is listed under `filter`: the one rule the store's listings and their test doubles apply. */
export function jobMatchesFilter(job: ExportJobSummary, filter: JobFilter): boolean {
  const search = filter.search?.toLowerCase();
  return (
    (!filter.teamId || job.teamId === filter.teamId) &&
    (!filter.userId || job.userId === filter.userId) &&
    (!filter.status || jobStateOf(job) === filter.status) &&
    (!filter.type || job.type === filter.type) &&
    (!filter.resourceId || job.resourceId === filter.resourceId) &&
    (!search || [job.id, job.resourceName, job.resourceId, job.groupId].some((text) => text?.toLowerCase().includes(search)))
  );
}

/** The most items one page of a listing may hold. */
export const MAX_PAGE_LIMIT = 500;
/** The furthest a listing may page. */
export const MAX_PAGE_OFFSET = 10_000_000;

export const pageSchema = z
  .object({
    offset: z.number().int().min(0).max(MAX_PAGE_OFFSET).default(0),
    limit: z.number().int().min(1).max(MAX_PAGE_LIMIT).default(50),
  })
  .strict();
export type Page = z.infer<typeof pageSchema>;

/** A record that could not be read; listings report these instead of failing. */
export interface MalformedRecord {
  id: string;
  reason: string;
}

export interface JobListResult {
  jobs: ExportJobSummary[];
  /** Number of jobs matching the filter (all pages). */
  total: number;
  malformed: MalformedRecord[];
  /**
   * A filtered listing reads at most a bounded number of the newest jobs of the index: true
   * when it stopped there (older matches are neither shown nor counted).
   */
  scanLimited?: boolean;
  /** Where the page's PENDING jobs stand in the runners' queue (1 = runs next); absent ones are not waiting (e.g. a retry's backoff). */
  queuePositions?: Record<string, number>;
}

/** Published on the change channel for every write to a record. */
export const jobChangeSchema = z.object({
  kind: z.enum(["created", "updated", "deleted"]),
  id: idSchema,
  teamId: z.string(),
  userId: z.string(),
  status: jobStatusSchema.optional(),
  progress: count.optional(),
  total: count.optional(),
  at: isoTimestamp,
});
export type JobChange = z.infer<typeof jobChangeSchema>;
