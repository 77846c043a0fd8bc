import type { Redis } from "ioredis";
import { auditEntrySchema, auditQuerySchema, type AuditAction, type AuditEntry, type AuditPage, type AuditQuery } from "../../../shared/audit";
import { AppError, isErrorCode } from "../../../shared/errors";
import { idSchema, isValidId } from "../../../shared/ids";
import { parseInput } from "../../../shared/parse-input";
import { DEFAULT_SETTINGS, jobTtlSecondsSchema } from "../../../shared/settings";
import {
  ACTIVE_STATUSES,
  JOB_STATES,
  JOB_TYPES,
  jobFilterSchema,
  jobMatchesFilter,
  jobStateOf,
  pageSchema,
  sourcesOf,
  type CsvProfile,
  type ExportJob,
  type ExportJobSummary,
  type JobChange,
  type JobFilter,
  type JobListResult,
  type JobStatus,
  type JobType,
  type MalformedRecord,
  type RecordEncoding,
} from "../../../shared/job";
import { decodeHashJob, decodeJsonJob, decodeSummaryRow, encodeFields } from "./job-codec";
import { newJobId } from "./job-id";
import { jobKeys, type JobKeys } from "./job-keys";
import { subscribeToCancelRequests, type JobChangeSubscription } from "./job-events";
import { defineJobScripts, INDEX_VERSION, recordFingerprint, TEAM_BLOCK_LENGTH, type JobScripts } from "./job-scripts";

export interface JobStoreOptions {
  /** Key prefix; empty (the default) shares keys with Papermark's web app. */
  prefix?: string;
  ttlSeconds?: number;
  /** Clock, for tests. */
  now?: () => Date;
  /**
   * How many records a search reads at most, and how many of a team's unindexed records
   * (the web app's) a filtered listing reads at most (default DEFAULT_MAX_SCANNED).
   */
  maxScanned?: number;
}

/**
 * A search reads at most this many of the newest jobs of the index; a filtered listing reads
 * at most this many of a team's unindexed records.
 */
export const DEFAULT_MAX_SCANNED = 20_000;

/** Team index members read per script call while filing them (the backfill) or trimming. */
const INDEX_BATCH = 500;

/** Expired ids a listing takes out of its team's indexes at most, before it reads them. */
const EXPIRY_BATCH = 1000;

export interface NewJob {
  type: JobType;
  teamId: string;
  userId: string;
  resourceId: string;
  resourceName?: string;
  groupId?: string;
  since?: string;
  until?: string;
  profile?: CsvProfile;
}

/** Fields a transition may set besides status/updatedAt. */
export type JobPatch = Partial<
  Pick<
    ExportJob,
    | "result" | "error" | "completedAt" | "progress" | "total" | "attempts" | "cancelRequested" | "resourceName"
    | "startedAt" | "mode" | "modeReason" | "tinybirdCalls" | "rows" | "bytes" | "warnings"
  >
> & { runId?: string };

export type ClearableField =
  | "result" | "error" | "completedAt" | "progress" | "total" | "cancelRequested" | "runId"
  | "startedAt" | "mode" | "modeReason" | "rows" | "bytes" | "warnings";

export interface TransitionOptions {
  patch?: JobPatch;
  clear?: readonly ClearableField[];
  /** Only apply when the record's runId equals this (a run that lost its job cannot write). */
  runId?: string;
  /** Restrict the allowed sources further than the transition table does. */
  from?: readonly JobStatus[];
  /**
   * Moves the CSV this run streamed with appendPartialResult into `result` (and deletes the
   * partial copy) in the same write. Needs `runId`.
   */
  takePartialResult?: boolean;
  /** Records the change in the team's audit trail, in the same write (a person's action, not a runner's step). */
  audit?: AuditRecord;
}

/** Who did it and what, for the audit trail (the store adds when, the job and its resource). */
export interface AuditRecord {
  actor: string;
  action: AuditAction;
}

/** A run's CSV is dropped this long after its last chunk when the run never finishes. */
const PARTIAL_RESULT_TTL_SECONDS = 24 * 3600;

export interface StoredJob {
  job: ExportJob;
  encoding: RecordEncoding;
}

/** Reads the `CODE message` errors our Lua scripts raise. */
function fromScriptError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const match = /^(?:ERR\s+)?(?:Error running script[^:]*:\s*)?(?:@user_script:\d+:\s*)?([A-Z_]+) (.*)$/s.exec(error.message);
  if (match && isErrorCode(match[1])) return new AppError(match[1], match[2]!.trim(), { cause: error });
  return error;
}

function parseId(id: unknown, what = "job id"): string {
  const parsed = idSchema.safeParse(id);
  if (!parsed.success) throw new AppError("BAD_INPUT", `invalid ${what}: ${parsed.error.issues[0]?.message ?? "bad value"}`);
  return parsed.data;
}

/**
 * The Redis job store: `export_job:<id>` hashes indexed by `team_jobs:<teamId>` and
 * `user_jobs:<userId>` sorted sets (score = creation ms), shared with Papermark's web app,
 * whose JSON-string records it reads but never changes.
 */
export class JobStore {
  readonly keys: JobKeys;
  readonly ttlSeconds: number;
  private readonly now: () => Date;
  private readonly scripts: JobScripts;
  private readonly maxScanned: number;
  /** Index syncs under way, by team: concurrent listings of a team wait for the same one. */
  private readonly syncing = new Map<string, Promise<void>>();

  constructor(
    private readonly redis: Redis,
    options: JobStoreOptions = {},
  ) {
    this.ttlSeconds = parseInput(jobTtlSecondsSchema, options.ttlSeconds ?? DEFAULT_SETTINGS.jobTtlSeconds, "job TTL (seconds)");
    this.keys = jobKeys(options.prefix ?? "");
    this.now = options.now ?? (() => new Date());
    this.scripts = defineJobScripts(redis);
    this.maxScanned = options.maxScanned ?? DEFAULT_MAX_SCANNED;
  }

  /** The job's userId asked for it: the team's audit trail records it with the record. */
  async create(input: NewJob): Promise<ExportJob> {
    const now = this.now();
    const job: ExportJob = {
      id: newJobId(),
      type: input.type,
      status: "PENDING",
      resourceId: parseId(input.resourceId, "resource id"),
      ...(input.resourceName !== undefined ? { resourceName: input.resourceName } : {}),
      ...(input.groupId !== undefined ? { groupId: parseId(input.groupId, "group id") } : {}),
      ...(input.since !== undefined ? { since: input.since } : {}),
      ...(input.until !== undefined ? { until: input.until } : {}),
      ...(input.profile !== undefined ? { profile: input.profile } : {}),
      userId: parseId(input.userId, "user id"),
      teamId: parseId(input.teamId, "team id"),
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      progress: 0,
      attempts: 0,
    };
    const event: JobChange = { kind: "created", id: job.id, teamId: job.teamId, userId: job.userId, status: job.status, at: job.updatedAt };
    const pairs = Object.entries(encodeFields(job)).flat();
    const entry = this.auditEntry({ actor: job.userId, action: "created" }, job, now);
    const keys = [this.keys.job(job.id), ...this.jobIndexKeys(job)];
    await this.call(() => this.scripts.exportJobCreate(keys, [this.ttlSeconds, now.getTime(), job.id, this.keys.changes(), JSON.stringify(event), entry, ...pairs]));
    return job;
  }

  /** The whole record (including the CSV), or null when there is none. */
  async get(id: string): Promise<StoredJob | null> {
    const jobId = parseId(id);
    const key = this.keys.job(jobId);
    const kind = await this.call(() => this.redis.type(key));
    if (kind === "none") return null;
    if (kind === "hash") {
      const raw = await this.call(() => this.redis.hgetall(key));
      if (Object.keys(raw).length === 0) return null; // expired between TYPE and HGETALL
      return { job: this.decoded(jobId, decodeHashJob(raw)), encoding: "hash" };
    }
    if (kind === "string") {
      const text = await this.call(() => this.redis.get(key));
      if (text === null) return null;
      return { job: this.decoded(jobId, decodeJsonJob(text)), encoding: "json" };
    }
    throw new AppError("MALFORMED_RECORD", `job ${jobId}: the key holds a ${kind}`);
  }

  /** The record without its CSV (one HMGET/GET), or null. */
  async getSummary(id: string): Promise<ExportJobSummary | null> {
    const jobId = parseId(id);
    const [row] = await this.summaries(NO_INDEX, [jobId]);
    if (!row || row.state === "gone") return null;
    if (row.state === "bad") throw new AppError("MALFORMED_RECORD", `job ${jobId}: ${row.reason}`);
    return row.job;
  }

  /** The CSV of a completed job. */
  async getResult(id: string): Promise<string | null> {
    const stored = await this.get(id);
    return stored?.job.result ?? null;
  }

  /**
   * Moves a job to `to` if the transition table allows it from its current status, applying
   * `patch` in the same atomic write. Returns the previous status.
   */
  async transition(id: string, to: JobStatus, options: TransitionOptions = {}): Promise<JobStatus> {
    const jobId = parseId(id);
    if (options.takePartialResult && !options.runId) throw new AppError("BAD_INPUT", "taking a partial result needs the run id");
    const allowed = sourcesOf(to).filter((from) => !options.from || options.from.includes(from));
    const pairs = Object.entries(encodeFields(options.patch ?? {})).flat();
    const jobKey = this.keys.job(jobId);
    // A record that does not decode is never written: the script checks it is still the one read here.
    const read = await this.readForWrite(jobId);
    const job = read.job;
    const owner = { teamId: job?.teamId ?? null, userId: job?.userId ?? null };
    const now = this.now();
    const entry = options.audit && job ? this.auditEntry(options.audit, job, now) : "";
    // Without an owner the script fails before it needs the index keys (or finds a conflict).
    const keys = job
      ? [jobKey, ...this.jobIndexKeys(job), ...(options.takePartialResult ? [this.keys.partialResult(jobId, options.runId!)] : [])]
      : [jobKey];
    const previous = await this.call(() =>
      this.scripts.exportJobTransition(keys, [
        this.ttlSeconds,
        to,
        allowed.join(","),
        now.toISOString(),
        this.keys.changes(),
        options.runId ?? "",
        owner.teamId ?? "",
        owner.userId ?? "",
        pairs.length / 2,
        read.fingerprint,
        entry,
        ...pairs,
        ...(options.clear ?? []),
      ]),
    );
    return previous as JobStatus;
  }

  /**
   * Cancels a PENDING or PROCESSING job (FAILED "Cancelled by user") and asks whichever
   * runner holds it to abort the run. `actor` (when a person asked) goes in the audit trail.
   */
  async cancel(id: string, actor?: string): Promise<void> {
    const jobId = parseId(id);
    await this.transition(jobId, "FAILED", {
      from: ACTIVE_STATUSES,
      patch: { error: "Cancelled by user", cancelRequested: true },
      ...(actor !== undefined ? { audit: { actor, action: "cancelled" } } : {}),
    });
    await this.call(() => this.redis.publish(this.keys.cancellations(), jobId));
  }

  /** Calls `onCancel(id)` for every cancel request, on a dedicated connection. */
  subscribeToCancellations(onCancel: (id: string) => void, onError: (error: Error) => void = () => {}): Promise<JobChangeSubscription> {
    return subscribeToCancelRequests(this.redis, this.keys, onCancel, onError);
  }

  /** Appends a chunk to the CSV a run is streaming (kept outside the record until it completes). */
  async appendPartialResult(id: string, runId: string, chunk: string): Promise<void> {
    const key = this.keys.partialResult(parseId(id), parseId(runId, "run id"));
    await this.call(async () => {
      const results = await this.redis.multi().append(key, chunk).expire(key, PARTIAL_RESULT_TTL_SECONDS).exec();
      for (const [error] of results ?? []) if (error) throw error;
    });
  }

  /** Drops what a run streamed (it failed, or it starts over). */
  async discardPartialResult(id: string, runId: string): Promise<void> {
    await this.call(() => this.redis.del(this.keys.partialResult(parseId(id), parseId(runId, "run id"))));
  }

  /**
   * Deletes the record and its index entries; `actor` (when a person asked) goes in its
   * team's audit trail (a record without a team has none). Returns false when there was none.
   */
  async delete(id: string, actor?: string): Promise<boolean> {
    const jobId = parseId(id);
    const jobKey = this.keys.job(jobId);
    const owner = await this.owner(jobKey);
    if (owner.kind === "none") return false;
    const now = this.now();
    const keys = [jobKey];
    if (owner.teamId !== null) {
      keys.push(...this.teamIndexBlock(owner.teamId)); // every type index among them
      if (isValidId(owner.resourceId)) keys.push(this.keys.teamResourceIndex(owner.teamId, owner.resourceId));
    }
    if (owner.userId !== null) keys.push(this.keys.userIndex(owner.userId));
    const entry =
      owner.teamId !== null && actor !== undefined
        ? this.auditEntry({ actor, action: "deleted" }, { id: jobId, resourceId: owner.resourceId ?? undefined, resourceName: owner.resourceName ?? undefined }, now)
        : "";
    if (entry !== "") keys.push(this.keys.auditTrail(owner.teamId!));
    const removed = await this.call(() =>
      this.scripts.exportJobDelete(keys, [jobId, this.keys.changes(), now.toISOString(), owner.teamId ?? "", owner.userId ?? "", this.ttlSeconds, entry, owner.teamId !== null ? 1 : 0]),
    );
    return removed === 1;
  }

  /** The JSON of one audit entry (the scripts store it as given). */
  private auditEntry(record: AuditRecord, job: { id: string; resourceId?: string | undefined; resourceName?: string | undefined }, at: Date): string {
    const entry: AuditEntry = {
      at: at.toISOString(),
      actor: parseId(record.actor, "user id"),
      action: record.action,
      jobId: job.id,
      ...(job.resourceId !== undefined ? { resourceId: job.resourceId } : {}),
      ...(job.resourceName !== undefined ? { resourceName: job.resourceName } : {}),
    };
    return JSON.stringify(entry);
  }

  /**
   * A team's audit trail, newest first (at most AUDIT_TRAIL_LENGTH entries are kept), or
   * one export's part of it. Entries that do not read as one are counted, not returned.
   */
  async auditTrail(teamId: string, queryInput: AuditQuery = {}): Promise<AuditPage> {
    const team = parseId(teamId, "team id");
    const query = parseInput(auditQuerySchema, queryInput, "audit query");
    const key = this.keys.auditTrail(team);
    const kind = await this.call(() => this.redis.type(key));
    if (kind === "none") return { entries: [], total: 0, unreadable: 0 };
    if (kind !== "list") throw new AppError("MALFORMED_RECORD", `${key} holds a ${kind}, not an audit trail`);
    const raw = await this.call(() => this.redis.lrange(key, 0, -1));
    const matching: AuditEntry[] = [];
    let unreadable = 0;
    for (const text of raw) {
      let parsed: ReturnType<typeof auditEntrySchema.safeParse>;
      try {
        parsed = auditEntrySchema.safeParse(JSON.parse(text));
      } catch {
        unreadable += 1;
        continue;
      }
      if (!parsed.success) unreadable += 1;
      else if (query.jobId === undefined || parsed.data.jobId === query.jobId) matching.push(parsed.data);
    }
    return { entries: matching.slice(query.offset, query.offset + query.limit), total: matching.length, unreadable };
  }

  /**
   * Deletes a record that does not decode, if one of `teams` owns it (`null` = any team):
   * its teamId field says which, or, when it has none, an index of that team listing it.
   * Those index entries go too. Returns false when none of `teams` owns it (or it is gone).
   */
  async deleteMalformed(id: string, teams: readonly string[] | null, actor?: string): Promise<boolean> {
    const jobId = parseId(id);
    const owner = await this.owner(this.keys.job(jobId));
    if (owner.kind === "none") return false;
    const listing = owner.teamId !== null || teams === null ? [] : await this.teamsListing(jobId, teams);
    if (teams !== null && !(owner.teamId !== null ? teams.includes(owner.teamId) : listing.length > 0)) return false;
    const deleted = await this.delete(jobId, actor);
    for (const team of listing) await this.unfileIds(team, "drop", [jobId]);
    return deleted;
  }

  /** Which of `teams` have `id` in their index. */
  private async teamsListing(id: string, teams: readonly string[]): Promise<string[]> {
    const listing: string[] = [];
    for (const team of teams) if ((await this.call(() => this.redis.zscore(this.keys.teamIndex(team), id))) !== null) listing.push(team);
    return listing;
  }

  /** Every team that has an index, found with SCAN: exact, and bounded by the number of keys. */
  async teamIds(): Promise<string[]> {
    const start = this.keys.teamIndex("").length;
    return (await this.allTeamIndexes()).map((key) => key.slice(start)).sort();
  }

  /**
   * Ids of our (hash) records that are PENDING or PROCESSING, for a runner to check against
   * its queue. Web-app JSON records belong to its own runner and are left out.
   */
  async unfinishedJobIds(): Promise<string[]> {
    const start = this.keys.job("").length;
    const found = new Set<string>();
    for await (const keys of this.scanKeys(this.keys.jobPattern(), "hash")) {
      const ids = keys.map((key) => key.slice(start)).filter((id) => idSchema.safeParse(id).success);
      if (ids.length === 0) continue;
      const pipeline = this.redis.pipeline();
      for (const id of ids) pipeline.hget(this.keys.job(id), "status");
      const results = await this.call(async () => (await pipeline.exec()) ?? []);
      ids.forEach((id, i) => {
        const status = results[i]?.[1];
        if ((ACTIVE_STATUSES as readonly unknown[]).includes(status)) found.add(id);
      });
    }
    return [...found];
  }

  /**
   * Newest first. With a team (or user) it reads that index; otherwise every team's index.
   * Reads only summary fields; a team's listing first takes ids whose record expired (its
   * expiry set says so) out of every index of the team, and a read prunes any it meets. A filter
   * on state, type or resource (without search or user) reads the teams' secondary indexes,
   * so its page costs about `limit` records however many jobs the team has.
   */
  async list(filterInput: JobFilter = {}, pageInput: Partial<{ offset: number; limit: number }> = {}, signal?: AbortSignal): Promise<JobListResult> {
    const filter = parseInput(jobFilterSchema, filterInput, "filter");
    const page = parseInput(pageSchema, pageInput, "page");
    if (!filter.search && filter.userId === undefined && (filter.status ?? filter.type ?? filter.resourceId) !== undefined) {
      const teams = filter.teamId ? [filter.teamId] : await this.teamIds();
      // A team id we would not accept (the web app's) cannot name index keys safely: scan those.
      if (teams.every(isValidId)) return this.listIndexed(teams, filter, page.offset, page.limit, signal);
    }
    const indexes = filter.teamId
      ? [this.keys.teamIndex(filter.teamId)]
      : filter.userId
        ? [this.keys.userIndex(filter.userId)]
        : await this.allTeamIndexes();
    const onlyIndexFilter = Object.keys(filter).every((name) => name === "teamId" || (name === "userId" && !filter.teamId));
    if (indexes.length === 1 && onlyIndexFilter) return this.listOneIndex(indexes[0]!, page.offset, page.limit);
    return this.listFiltered(indexes, filter, page.offset, page.limit, signal);
  }

  /** Fast path: the page is a ZREVRANGE slice of one index. */
  private async listOneIndex(index: string, offset: number, limit: number): Promise<JobListResult> {
    const team = this.scopeOf(index).team;
    if (team !== null) await this.pruneExpired(team);
    const [total, ids] = await this.call(async () => {
      const results = await this.redis.multi().zcard(index).zrevrange(index, offset, offset + limit - 1).exec();
      if (!results) throw new Error("the list transaction was aborted");
      for (const [error] of results) if (error) throw error;
      return [results[0]![1] as number, results[1]![1] as string[]] as const;
    });
    const rows = await this.summaries(this.scopeOf(index), ids);
    const jobs: ExportJobSummary[] = [];
    const malformed: MalformedRecord[] = [];
    let gone = 0;
    for (const row of rows) {
      if (row.state === "ok") jobs.push(row.job);
      else if (row.state === "bad") malformed.push({ id: row.id, reason: row.reason });
      else gone += 1;
    }
    // The index's size less what this read pruned: the same on every page until jobs are
    // created, deleted or expire. Malformed entries count (they are listed in `malformed`).
    return { jobs, total: total - gone, malformed };
  }

  /**
   * Indexed path. Per team, the index of the filter (the intersection of several) gives the
   * page by rank, and the team's unindexed set adds its matches (the
   * web app's records, read one by one: those of the filter's type and resource, or every one
   * for a filter on state alone; at most maxScanned of them). `total` is the indexes'
   * size plus those matches, less what this read found expired, foreign or misfiled on the
   * page (misfiled ones move to the unindexed set): the same on every page until jobs change.
   */
  private async listIndexed(teams: readonly string[], filter: JobFilter, offset: number, limit: number, signal?: AbortSignal): Promise<JobListResult> {
    const stopIfCancelled = () => {
      if (signal?.aborted) throw new AppError("CANCELLED", "the listing was cancelled");
    };
    stopIfCancelled();
    const matches = (job: ExportJobSummary): boolean => jobMatchesFilter(job, filter);
    const malformed = new Map<string, MalformedRecord>();
    const extras: Candidate[] = [];
    let budget = this.maxScanned;
    let scanLimited = false;
    for (const team of teams) {
      await this.syncIndexes(team);
      stopIfCancelled();
      let unindexed = await this.readUnindexed(team, filter, matches, budget, stopIfCancelled);
      if (unindexed.pruned > 0) {
        // The counts agreed while a record was gone: the web app may have added one since, unfiled. Count again, read again.
        await this.syncIndexes(team);
        stopIfCancelled();
        unindexed = await this.readUnindexed(team, filter, matches, budget, stopIfCancelled);
      }
      budget -= unindexed.read;
      scanLimited ||= unindexed.limited;
      extras.push(...unindexed.matches);
      for (const record of unindexed.malformed) malformed.set(record.id, record);
    }
    extras.sort(newestFirst);

    // One team: the page's first rank in its index is at most `offset` less the unindexed
    // matches (which may all come before it). Several: each index from its first rank.
    const firstRank = teams.length === 1 ? Math.max(0, offset - extras.length) : 0;
    const windows: IndexWindow[] = [];
    for (const team of teams) windows.push(await this.indexWindow(team, filter, firstRank, offset + limit - 1));
    stopIfCancelled();
    // An id both unindexed and in an index (written by hand, or a race) is listed once, from the
    // unindexed set, and leaves the index so that it is counted once.
    const extraJobs = new Map(extras.map((extra) => [extra.id, extra.job!]));
    let removed = 0;
    for (const window of windows) {
      const twice = window.entries.flatMap((entry) => extraJobs.get(entry.id) ?? []);
      if (twice.length === 0) continue;
      const listing = new Set(window.sources);
      for (const job of twice) listing.add(this.keys.teamResourceIndex(window.team, job.resourceId));
      await this.unfileIds(window.team, "park", twice.map((job) => job.id), [...listing]);
      removed += twice.length;
    }
    const indexed = windows.flatMap((window) => window.entries).filter((entry) => !extraJobs.has(entry.id));
    indexed.sort(newestFirst);
    // The merged position of candidates[0]: the ranks before the window, and the unindexed matches that precede it.
    let position = 0;
    let candidates: Candidate[];
    if (firstRank === 0) {
      candidates = [...indexed, ...extras].sort(newestFirst);
    } else if (indexed[0] === undefined) {
      candidates = []; // the page is past the end
    } else {
      const head = indexed[0];
      const before = extras.filter((extra) => newestFirst(extra, head) < 0).length;
      position = firstRank + before;
      candidates = [...indexed, ...extras.slice(before)].sort(newestFirst);
    }
    const page = candidates.slice(Math.max(0, offset - position), Math.max(0, offset - position + limit));

    const accepted = new Map<string, ExportJobSummary>();
    for (const window of windows) {
      const ids = page.filter((entry) => entry.job === undefined && entry.team === window.team).map((entry) => entry.id);
      if (ids.length === 0) continue;
      const checked = await this.readIndexed(window.team, window.sources, ids, filter);
      removed += checked.removed;
      for (const job of checked.jobs) accepted.set(job.id, job);
      for (const record of checked.malformed) malformed.set(record.id, record);
    }
    const jobs = page.flatMap((entry) => entry.job ?? accepted.get(entry.id) ?? []);
    const total = windows.reduce((sum, window) => sum + window.size, 0) - removed + extras.length;
    return { jobs, total, malformed: [...malformed.values()], ...(scanLimited ? { scanLimited } : {}) };
  }

  /** The team's indexes for the filter's state, type and resource. */
  private filterIndexes(team: string, filter: JobFilter): string[] {
    return [
      ...(filter.status ? [this.keys.teamStateIndex(team, filter.status)] : []),
      ...(filter.type ? [this.keys.teamTypeIndex(team, filter.type)] : []),
      ...(filter.resourceId ? [this.keys.teamResourceIndex(team, filter.resourceId)] : []),
    ];
  }

  /** Size of the filter's index (or intersection) and its members at ranks [first, last], newest first. */
  private async indexWindow(team: string, filter: JobFilter, first: number, last: number): Promise<IndexWindow> {
    const sources = this.filterIndexes(team, filter);
    // Without a state index among them, the web app's records (unindexed, in type and resource indexes) are left out: read from the unindexed set.
    const exclude = filter.status === undefined;
    const flat = await this.call(async () => {
      if (sources.length > 1 || exclude) {
        const keys = exclude ? [...sources, this.keys.teamUnindexed(team)] : sources;
        return (await this.scripts.exportJobIntersect(keys, [first, last, exclude ? 1 : 0])) as (number | string)[];
      }
      const results = await this.redis.multi().zcard(sources[0]!).zrevrange(sources[0]!, first, last, "WITHSCORES").exec();
      if (!results) throw new Error("the list transaction was aborted");
      for (const [error] of results) if (error) throw error;
      return [results[0]![1] as number, ...(results[1]![1] as string[])];
    });
    const entries: Candidate[] = [];
    for (let i = 1; i + 1 < flat.length; i += 2) entries.push({ id: String(flat[i]), score: Number(flat[i + 1]), team });
    return { team, sources, size: Number(flat[0]), entries };
  }

  /**
   * Records on a page that came from an index: listed if the record is ours, decodes, is filed
   * under its own state only (so it is in no other state index, nor unindexed: listed and
   * counted once) and matches. One filed that way whose state no longer matches changed state
   * since the window was read: it is skipped, its entries left as they are. A record of another
   * team (or gone) is dropped; any other contradicts where it is filed and moves to the
   * unindexed set, where listings read it record by record.
   */
  private async readIndexed(
    team: string,
    sources: readonly string[],
    ids: readonly string[],
    filter: JobFilter,
  ): Promise<{ jobs: ExportJobSummary[]; malformed: MalformedRecord[]; removed: number }> {
    const resources = filter.resourceId !== undefined ? [filter.resourceId] : [];
    const rows = await this.summaries(this.teamScope(team, { listedOnly: true, also: sources, resources, reportFiled: true }), ids);
    const jobs: ExportJobSummary[] = [];
    const malformed: MalformedRecord[] = [];
    const misfiled: string[] = [];
    const alsoListing = new Set(sources);
    let removed = 0;
    for (const row of rows) {
      if (row.state === "ok" && row.encoding === "hash" && row.filed === jobStateOf(row.job)) {
        if (jobMatchesFilter(row.job, filter)) {
          jobs.push(row.job);
          continue;
        }
        // Filed under its own state only and matching all but the state: a write moved it to
        // another state index after the window was read. Not on this page, nothing to mend.
        if (jobMatchesFilter(row.job, { ...filter, status: undefined })) {
          removed += 1;
          continue;
        }
      }
      removed += 1;
      if (row.state === "gone") continue;
      if (row.state === "bad") malformed.push({ id: row.id, reason: row.reason });
      else alsoListing.add(this.keys.teamResourceIndex(team, row.job.resourceId));
      misfiled.push(row.id);
    }
    if (misfiled.length > 0) await this.unfileIds(team, "park", misfiled, [...alsoListing]);
    return { jobs, malformed, removed };
  }

  /**
   * The team's unindexed records that match, newest first: at most `budget` are read. With a
   * type or resource filter, only those in its indexes (the web app's that match) and those
   * the resource map does not name (their type is not known without reading) are read.
   */
  private async readUnindexed(
    team: string,
    filter: JobFilter,
    matches: (job: ExportJobSummary) => boolean,
    budget: number,
    stopIfCancelled: () => void,
  ): Promise<{ matches: Candidate[]; malformed: MalformedRecord[]; read: number; limited: boolean; pruned: number }> {
    const key = this.keys.teamUnindexed(team);
    const byIndex = this.filterIndexes(team, { ...filter, status: undefined });
    const flat =
      budget <= 0
        ? []
        : byIndex.length > 0
          ? ((await this.call(() => this.scripts.exportJobUnindexedMatches([key, this.keys.teamResourceMap(team), ...byIndex], [budget + 1]))) as string[])
          : await this.call(() => this.redis.zrevrange(key, 0, budget, "WITHSCORES"));
    const entries: { id: string; score: number }[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) entries.push({ id: flat[i]!, score: Number(flat[i + 1]) });
    const limited = budget > 0 ? entries.length > budget : (await this.call(() => this.redis.zcard(key))) > 0;
    const read = entries.slice(0, Math.max(0, budget));
    const scope = this.teamScope(team, { listedOnly: true, reportFiled: true });
    const found: Candidate[] = [];
    const malformed: MalformedRecord[] = [];
    let pruned = 0;
    for (let start = 0; start < read.length; start += INDEX_BATCH) {
      stopIfCancelled();
      const chunk = read.slice(start, start + INDEX_BATCH);
      const rows = await this.summaries(scope, chunk.map((entry) => entry.id));
      const twice: ExportJobSummary[] = [];
      rows.forEach((row, i) => {
        if (row.state === "bad") malformed.push({ id: row.id, reason: row.reason });
        else if (row.state === "gone") pruned += 1;
        else {
          if (row.filed === "several") twice.push(row.job);
          if (matches(row.job)) found.push({ id: row.id, score: chunk[i]!.score, team, job: row.job });
        }
      });
      // Unindexed and in a state index too (written by hand, or a race): it leaves the state index, counted once, from here.
      if (twice.length > 0) {
        const listing = [...new Set(twice.map((job) => this.keys.teamResourceIndex(team, job.resourceId)))];
        await this.unfileIds(team, "park", twice.map((job) => job.id), listing);
      }
    }
    return { matches: found, malformed, read: read.length, limited, pruned };
  }

  /**
   * Brings a team's secondary indexes up to date with its team index, once per process at a
   * time: the first time (no version marker: jobs written before the indexes existed, or
   * another layout's marker) the team is indexed again from scratch; after that, only when
   * the counts say members are missing (the web app's records, added without us) or filed
   * ones are no longer listed.
   */
  private syncIndexes(team: string): Promise<void> {
    let running = this.syncing.get(team);
    if (!running) {
      running = this.sync(team).finally(() => this.syncing.delete(team));
      this.syncing.set(team, running);
    }
    return running;
  }

  /*
   * Every write keeps "each member of the team index is filed once" (one state index or the
   * unindexed set), so the counts differ only after writes we did not make. Members filed but
   * no longer listed leave every index first; then the walk for unfiled ones stops once it
   * found as many as are missing. Expired ids leave every index before the count (the expiry
   * set). A web-app record replaced by another between two counts leaves the counts equal:
   * listIndexed counts again when reading the unindexed set finds one gone. (If one of ours
   * were removed from the team index by hand while the web app added one, the counts would
   * agree and the newcomer would wait for the next count difference.)
   */
  private async sync(team: string): Promise<void> {
    await this.pruneExpired(team);
    let counts = await this.indexCounts(team);
    if (counts.version !== INDEX_VERSION) return this.reindex(team, counts.listed);
    if (counts.listed < counts.filed) {
      // Filed ids the team index no longer lists: the unindexed set (small) first.
      await this.dropUnlisted(team, [this.keys.teamUnindexed(team)]);
      counts = await this.indexCounts(team);
      if (counts.listed < counts.filed) {
        await this.dropUnlisted(team, JOB_STATES.map((state) => this.keys.teamStateIndex(team, state)));
        counts = await this.indexCounts(team);
      }
    }
    if (counts.listed > counts.filed) await this.fileUnfiled(team, counts.listed - counts.filed);
  }

  /**
   * Indexes the team again from its team index: its secondary keys are deleted (the resource
   * indexes found with SCAN: an older layout may have left entries no map names), then every
   * member is filed. A write meanwhile files its job itself; the walk skips filed ones.
   */
  private async reindex(team: string, listed: number): Promise<void> {
    // A team without jobs gets no marker: there is nothing written the old way to index.
    if (listed === 0) return;
    const block = this.teamIndexBlock(team);
    const resourceIndexes = new Set<string>();
    for await (const keys of this.scanKeys(this.keys.teamResourceIndexPattern(team))) for (const key of keys) resourceIndexes.add(key);
    const found = [...resourceIndexes];
    // Each call checks and clears the block (the first one empties it) and up to INDEX_BATCH resource indexes.
    let start = 0;
    do {
      const keys = [...block, ...found.slice(start, start + INDEX_BATCH)];
      await this.call(() => this.scripts.exportJobClearIndexes(keys, []));
      start += INDEX_BATCH;
    } while (start < found.length);
    await this.fileUnfiled(team, Number.POSITIVE_INFINITY);
    await this.call(() => this.redis.set(this.keys.teamIndexVersion(team), INDEX_VERSION, "EX", this.ttlSeconds));
  }

  /**
   * Takes the team's ids whose records expired (the expiry set says they are due, and the
   * record is gone) out of every index of the team, at most EXPIRY_BATCH per call: a page
   * then never counts or skips them, read or not. The resource map is read first (as in
   * unfileIds) so that each id's resource index is in KEYS; the script checks it again.
   */
  private async pruneExpired(team: string): Promise<void> {
    const ids = (await this.call(() => this.scripts.exportJobExpired([this.keys.teamExpiry(team)], [EXPIRY_BATCH]))) as string[];
    if (ids.length === 0) return;
    const resources = await this.mappedResources(team, ids);
    const keys = [...this.teamIndexBlock(team), ...resources.map((resourceId) => this.keys.teamResourceIndex(team, resourceId)), ...ids.map((id) => this.keys.job(id))];
    await this.call(() => this.scripts.exportJobPruneExpired(keys, [this.ttlSeconds, resources.length, ...resources, ...ids]));
  }

  /** The version marker, the team index's size and how many of its members are filed. */
  private async indexCounts(team: string): Promise<{ version: string | null; listed: number; filed: number }> {
    const filedIn = [this.keys.teamUnindexed(team), ...JOB_STATES.map((state) => this.keys.teamStateIndex(team, state))];
    return this.call(async () => {
      const transaction = this.redis.multi().get(this.keys.teamIndexVersion(team)).zcard(this.keys.teamIndex(team));
      for (const key of filedIn) transaction.zcard(key);
      const results = await transaction.exec();
      if (!results) throw new Error("the index count transaction was aborted");
      for (const [error] of results) if (error) throw error;
      const sizes = results.slice(1).map(([, size]) => size as number);
      return { version: results[0]![1] as string | null, listed: sizes[0]!, filed: sizes.slice(1).reduce((sum, size) => sum + size, 0) };
    });
  }

  /**
   * Files the team index's unfiled members, newest first, until `wanted` were found (or the
   * index ends), in batches that are each one atomic script. Returns how many were found.
   */
  private async fileUnfiled(team: string, wanted: number): Promise<number> {
    const block = this.teamIndexBlock(team);
    const scope = this.teamScope(team, { listedOnly: false });
    let found = 0;
    for (let start = 0; found < wanted; ) {
      const [read, ...ids] = (await this.call(() => this.scripts.exportJobUnfiled(block, [start, INDEX_BATCH]))) as [number, ...string[]];
      let pruned = 0;
      if (ids.length > 0) {
        found += ids.length;
        const keys = [...block, this.keys.teamIndexVersion(team)];
        const indexed: (string | number)[] = [];
        const webAppKeys: string[] = [];
        const webApp: string[] = [];
        const parked: string[] = [];
        for (const row of await this.summaries(scope, ids)) {
          if (row.state === "gone") pruned += 1;
          else if (row.state === "ok" && row.encoding === "hash") {
            keys.push(this.keys.job(row.id), this.keys.teamTypeIndex(team, row.job.type), this.keys.teamResourceIndex(team, row.job.resourceId));
            indexed.push(row.id, jobStateOf(row.job), row.job.type, row.job.resourceId);
          } else if (row.state === "ok" && isValidId(row.job.resourceId)) {
            // The web app's: parked (its runner changes its state without us), in its type and resource index.
            webAppKeys.push(this.keys.job(row.id), this.keys.teamTypeIndex(team, row.job.type), this.keys.teamResourceIndex(team, row.job.resourceId));
            webApp.push(row.id, row.job.type, row.job.resourceId);
          } else parked.push(row.id); // one that does not decode
        }
        keys.push(...webAppKeys, ...parked.map((id) => this.keys.job(id)));
        await this.call(() =>
          this.scripts.exportJobFile(keys, [this.ttlSeconds, team, indexed.length / 4, ...indexed, webApp.length / 3, ...webApp, ...parked]),
        );
      }
      if (read < INDEX_BATCH) break;
      start += read - pruned;
    }
    return found;
  }

  /** The members of each of `indexes` (a team's) that its team index no longer lists leave every index of the team. */
  private async dropUnlisted(team: string, indexes: readonly string[]): Promise<void> {
    for (const index of indexes) {
      for (let start = 0; ; ) {
        const [read, ...ids] = (await this.call(() => this.scripts.exportJobUnlisted([this.keys.teamIndex(team), index], [start, INDEX_BATCH]))) as [number, ...string[]];
        const dropped = ids.length > 0 ? await this.unfileIds(team, "unlisted", ids) : 0;
        if (read < INDEX_BATCH) break;
        start += read - dropped;
      }
    }
  }

  /**
   * Moves `ids` out of the team's secondary indexes (unfileScript: 'drop', 'unlisted' or
   * 'park'), out of `also` (sorted sets that may list them) and out of the resource index
   * the resource map names for each, read here first and checked again by the script.
   * Returns how many it moved.
   */
  private async unfileIds(team: string, mode: "drop" | "unlisted" | "park", ids: readonly string[], also: readonly string[] = []): Promise<number> {
    const resources = await this.mappedResources(team, ids);
    const keys = [
      ...this.teamIndexBlock(team),
      ...also,
      ...resources.map((resourceId) => this.keys.teamResourceIndex(team, resourceId)),
      this.keys.teamIndexVersion(team),
    ];
    return Number(await this.call(() => this.scripts.exportJobUnfile(keys, [this.ttlSeconds, mode, resources.length, ...resources, ...ids])));
  }

  /**
   * Search path: scans the index(es) in chunks, newest first, counting every match, up to
   * maxScanned entries; stops when `signal` says the caller has gone.
   */
  private async listFiltered(indexes: string[], filter: JobFilter, offset: number, limit: number, signal?: AbortSignal): Promise<JobListResult> {
    const jobs: ExportJobSummary[] = [];
    const malformed: MalformedRecord[] = [];
    let total = 0;
    const matches = (job: ExportJobSummary): boolean => jobMatchesFilter(job, filter);
    const cancelled = () => new AppError("CANCELLED", "the listing was cancelled");
    if (signal?.aborted) throw cancelled();
    let scanned = 0;
    let scanLimited = false;
    scan: for await (const rows of this.scanIndexes(indexes)) {
      if (signal?.aborted) throw cancelled();
      for (const row of rows) {
        if (scanned >= this.maxScanned) {
          scanLimited = true;
          break scan;
        }
        scanned += 1;
        if (row.state === "bad") malformed.push({ id: row.id, reason: row.reason });
        if (row.state !== "ok" || !matches(row.job)) continue;
        if (total >= offset && jobs.length < limit) jobs.push(row.job);
        total += 1;
      }
    }
    return { jobs, total, malformed, ...(scanLimited ? { scanLimited } : {}) };
  }

  /** Yields summary rows of the given indexes, newest first overall, in chunks. */
  private async *scanIndexes(indexes: string[]): AsyncGenerator<SummaryRow[]> {
    const CHUNK = 500;
    if (indexes.length === 1) {
      const index = indexes[0]!;
      const scope = this.scopeOf(index);
      for (let start = 0; ; start += CHUNK) {
        const ids = await this.call(() => this.redis.zrevrange(index, start, start + CHUNK - 1));
        if (ids.length === 0) return;
        const rows = await this.summaries(scope, ids);
        // Pruned members shift the ranks: step back by as many as were removed.
        start -= rows.filter((row) => row.state === "gone").length;
        yield rows;
        if (ids.length < CHUNK) return;
      }
    }
    // Several teams: merge by score. Fine for a console's all-teams view.
    const scored: { id: string; score: number; index: string }[] = [];
    for (const index of indexes) {
      const flat = await this.call(() => this.redis.zrange(index, "0", "-1", "WITHSCORES"));
      for (let i = 0; i < flat.length; i += 2) scored.push({ id: flat[i]!, score: Number(flat[i + 1]), index });
    }
    scored.sort((a, b) => b.score - a.score || (a.id < b.id ? 1 : -1));
    for (let i = 0; i < scored.length; i += CHUNK) {
      const chunk = scored.slice(i, i + CHUNK);
      const byIndex = new Map<string, string[]>();
      for (const entry of chunk) byIndex.set(entry.index, [...(byIndex.get(entry.index) ?? []), entry.id]);
      const rowsById = new Map<string, SummaryRow>();
      for (const [index, ids] of byIndex) for (const row of await this.summaries(this.scopeOf(index), ids)) rowsById.set(row.id, row);
      yield chunk.map((entry) => rowsById.get(entry.id)!);
    }
  }

  private async allTeamIndexes(): Promise<string[]> {
    const found = new Set<string>();
    for await (const keys of this.scanKeys(this.keys.teamIndexPattern(), "zset")) for (const key of keys) found.add(key);
    return [...found];
  }

  /** SCAN in batches (of keys of `type`, or of any); a key may come twice (SCAN's guarantee), callers dedupe when it matters. */
  private async *scanKeys(pattern: string, type?: "hash" | "zset"): AsyncGenerator<string[]> {
    let cursor = "0";
    do {
      const [next, keys] = await this.call(() =>
        type ? this.redis.scan(cursor, "MATCH", pattern, "COUNT", "1000", "TYPE", type) : this.redis.scan(cursor, "MATCH", pattern, "COUNT", "1000"),
      );
      cursor = next;
      if (keys.length) yield keys;
    } while (cursor !== "0");
  }

  /**
   * A record about to be written, decoded: a hash that does not decode is refused here
   * (MALFORMED_RECORD); the write then checks the fingerprint so nothing changed in between.
   * Web-app and missing records come back without a job: the write script refuses them.
   */
  private async readForWrite(id: string): Promise<{ job: ExportJobSummary | null; fingerprint: string }> {
    const [entry] = await this.summariesScript(NO_INDEX, [id]);
    const state = entry?.[0];
    if (state === "hash") {
      const values = entry!.slice(2);
      const job = this.decoded(id, decodeSummaryRow(values));
      return { job, fingerprint: recordFingerprint(values) };
    }
    if (state === "bad") throw new AppError("MALFORMED_RECORD", `job ${id}: ${String(entry![2])}`);
    return { job: null, fingerprint: "" };
  }

  /**
   * The resources the team's resource map names for `ids` (read before a script that checks
   * them again). A map key of the wrong type names none: the script then refuses it by name.
   */
  private async mappedResources(team: string, ids: readonly string[]): Promise<string[]> {
    try {
      const mapped = await this.call(() => this.redis.hmget(this.keys.teamResourceMap(team), ...ids));
      return [...new Set(mapped.filter(isValidId))];
    } catch (error) {
      if (error instanceof Error && error.message.startsWith("WRONGTYPE")) return [];
      throw error;
    }
  }

  /** Who owns the record at `key` (read before a write, which checks it again). */
  private async owner(
    key: string,
  ): Promise<{ kind: string; teamId: string | null; userId: string | null; resourceId: string | null; resourceName: string | null }> {
    const [kind, teamId, userId, resourceId, resourceName] = (await this.call(() => this.scripts.exportJobOwner([key], []))) as (string | null)[];
    return { kind: kind!, teamId: teamId || null, userId: userId || null, resourceId: resourceId || null, resourceName: resourceName || null };
  }

  /** The keys after the job key that create and transition take, in their order. */
  private jobIndexKeys(job: Pick<ExportJob, "userId" | "teamId" | "type" | "resourceId">): string[] {
    return [
      this.keys.userIndex(job.userId),
      this.keys.auditTrail(job.teamId),
      ...this.teamIndexBlock(job.teamId),
      this.keys.teamTypeIndex(job.teamId, job.type),
      this.keys.teamResourceIndex(job.teamId, job.resourceId),
      this.keys.teamIndexVersion(job.teamId),
    ];
  }

  /**
   * A team's index, the sets that file its members, every type index and the resource map,
   * in the order the scripts take them (TEAM_BLOCK_LENGTH).
   */
  private teamIndexBlock(teamId: string): string[] {
    return [
      this.keys.teamIndex(teamId),
      this.keys.teamUnindexed(teamId),
      ...JOB_STATES.map((state) => this.keys.teamStateIndex(teamId, state)),
      ...JOB_TYPES.map((type) => this.keys.teamTypeIndex(teamId, type)),
      this.keys.teamResourceMap(teamId),
      this.keys.teamExpiry(teamId),
    ];
  }

  /**
   * Reading a team's indexes: an id whose record expired (or, with `listedOnly`, that the
   * team index no longer lists) is pruned from the team block, from `also` and from the
   * resource index the resource map names (the indexes of `resources` are given up front).
   */
  private teamScope(teamId: string, options: { listedOnly: boolean; also?: readonly string[]; resources?: readonly string[]; reportFiled?: boolean }): IndexScope {
    const block = this.teamIndexBlock(teamId);
    return {
      team: teamId,
      prune: [...block, ...(options.also ?? []).filter((key) => !block.includes(key))],
      resources: options.resources ?? [],
      owner: { field: "teamId", value: teamId },
      listedOnly: options.listedOnly,
      reportFiled: options.reportFiled ?? false,
    };
  }

  /** How to read a team or user index (anything else: no index to prune, no owner to check). */
  private scopeOf(index: string): IndexScope {
    const team = this.keys.teamIndex("");
    const user = this.keys.userIndex("");
    if (index.startsWith(team)) return this.teamScope(index.slice(team.length), { listedOnly: false });
    if (index.startsWith(user)) return { team: null, prune: [index], resources: [], owner: { field: "userId", value: index.slice(user.length) }, listedOnly: false, reportFiled: false };
    return NO_INDEX;
  }

  /**
   * Summary rows of `ids` as listed by `scope`. An index does not vouch for its members: a
   * record of another team (or user) found in it is dropped from it and reported as gone.
   */
  private async summaries(scope: IndexScope, ids: readonly string[]): Promise<SummaryRow[]> {
    const rows = await this.readSummaries(scope, ids);
    const owner = scope.owner;
    if (!owner) return rows;
    const foreign = rows.filter((row) => row.state === "ok" && row.job[owner.field] !== owner.value).map((row) => row.id);
    if (foreign.length === 0) return rows;
    if (scope.team === null) await this.call(() => this.redis.zrem(scope.prune[0]!, ...foreign));
    else await this.unfileIds(scope.team, "drop", foreign, scope.prune.slice(TEAM_BLOCK_LENGTH));
    return rows.map((row) => (foreign.includes(row.id) ? { state: "gone", id: row.id } : row));
  }

  /**
   * One summaries script call, then, for gone ids whose resource index it was not given (the
   * resource map names one), a second with those indexes: a gone id leaves every index.
   */
  private async readSummaries(scope: IndexScope, ids: readonly string[]): Promise<SummaryRow[]> {
    const raw = await this.summariesScript(scope, ids);
    const unpruned = new Map<string, string>();
    raw.forEach((entry, i) => {
      if (entry[0] === "gone" && isValidId(entry[1])) unpruned.set(ids[i]!, entry[1]);
    });
    if (unpruned.size > 0) await this.summariesScript({ ...scope, resources: [...new Set([...scope.resources, ...unpruned.values()])] }, [...unpruned.keys()]);
    return raw.map((entry, i): SummaryRow => {
      const id = ids[i]!;
      const state = entry[0];
      if (state === "gone") return { state: "gone", id };
      const filed = String(entry[1] ?? "");
      if (state === "bad") return { state: "bad", id, reason: String(entry[2]), filed };
      const decoded = decodeSummaryRow(entry.slice(2));
      if (!decoded.ok) return { state: "bad", id, reason: decoded.reason, filed };
      if (decoded.value.id !== id) return { state: "bad", id, reason: `the record says its id is ${decoded.value.id}`, filed };
      return { state: "ok", id, job: decoded.value, encoding: state as RecordEncoding, filed };
    });
  }

  private async summariesScript(scope: IndexScope, ids: readonly string[]): Promise<(string | null)[][]> {
    if (ids.length === 0) return [];
    const keys = [...scope.prune, ...scope.resources.map((resourceId) => this.keys.teamResourceIndex(scope.team!, resourceId)), ...ids.map((id) => this.keys.job(id))];
    const args = [scope.prune.length, scope.listedOnly ? "listed" : "", scope.team !== null ? 1 : 0, scope.reportFiled ? 1 : 0, scope.resources.length, ...scope.resources, ...ids];
    return (await this.call(() => this.scripts.exportJobSummaries(keys, args))) as (string | null)[][];
  }

  private decoded(id: string, decoded: ReturnType<typeof decodeHashJob>): ExportJob {
    if (!decoded.ok) throw new AppError("MALFORMED_RECORD", `job ${id}: ${decoded.reason}`);
    if (decoded.value.id !== id) throw new AppError("MALFORMED_RECORD", `job ${id}: the record says its id is ${decoded.value.id}`);
    return decoded.value;
  }

  /** Maps script errors to AppErrors and connection failures to UNAVAILABLE. */
  private async call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      const mapped = fromScriptError(error);
      if (mapped instanceof AppError) throw mapped;
      if (isConnectionError(error)) throw new AppError("UNAVAILABLE", `Redis is unreachable: ${(error as Error).message}`, { cause: error });
      throw error;
    }
  }
}

/** `filed`: the state whose index lists the id, "unindexed", or "" (none, or not asked: reportFiled). */
type SummaryRow =
  | { state: "ok"; id: string; job: ExportJobSummary; encoding: RecordEncoding; filed: string }
  | { state: "gone"; id: string }
  | { state: "bad"; id: string; reason: string; filed: string };

/** How a read treats an index: what to prune an expired id from, and whose jobs it lists. */
interface IndexScope {
  /** The team whose block `prune` starts with; null: `prune` is a user index (or nothing). */
  team: string | null;
  prune: readonly string[];
  /** Resource ids of the team whose indexes the read is given (a gone id leaves the one the resource map names). */
  resources: readonly string[];
  owner: { field: "teamId" | "userId"; value: string } | null;
  /** The first pruned key (a team index) must list an id, else it is pruned like an expired one. */
  listedOnly: boolean;
  /** Rows say where each id is filed in the team's block. */
  reportFiled: boolean;
}

const NO_INDEX: IndexScope = { team: null, prune: [], resources: [], owner: null, listedOnly: false, reportFiled: false };

/** An id on its way to a page: from an index (score and team), or a verified unindexed match (with its job). */
interface Candidate {
  id: string;
  score: number;
  team: string;
  job?: ExportJobSummary;
}

interface IndexWindow {
  team: string;
  /** The indexes the window came from (one, or several intersected). */
  sources: string[];
  size: number;
  entries: Candidate[];
}

/** The order of ZREVRANGE: score descending, then member descending. */
function newestFirst(a: { id: string; score: number }, b: { id: string; score: number }): number {
  return b.score - a.score || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  return (
    code === "ECONNREFUSED" ||
    code === "ECONNRESET" ||
    code === "EPIPE" ||
    code === "ETIMEDOUT" ||
    /Connection is closed|Stream isn't writeable|enableOfflineQueue|Reached the max retries|MaxRetriesPerRequest/i.test(error.message)
  );
}
