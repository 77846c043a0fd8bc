import type { Redis } from "ioredis";
import { auditEntrySchema, auditQuerySchema, type AuditAction, type AuditEntry, type AuditPage, type AuditQuery } from "../../../shared/audit";
import { AppError, isErrorCode } from "../../../shared/errors";
import { idSchema } from "../../../shared/ids";
import { parseInput } from "../../../shared/parse-input";
import { DEFAULT_SETTINGS, jobTtlSecondsSchema } from "../../../shared/settings";
import {
  ACTIVE_STATUSES,
  jobFilterSchema,
  jobMatchesFilter,
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
import { defineJobScripts, recordFingerprint, type JobScripts } from "./job-scripts";

export interface JobStoreOptions {
  /** Key prefix; empty (the default) shares keys with Papermark's web app. */
  prefix?: string;
  ttlSeconds?: number;
  /** Clock, for tests. */
  now?: () => Date;
  /** How many index entries a filtered listing reads at most (default DEFAULT_MAX_SCANNED). */
  maxScanned?: number;
}

/** A filtered listing or search reads at most this many of the newest jobs of the index. */
export const DEFAULT_MAX_SCANNED = 20_000;

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
    await this.call(() =>
      this.scripts.exportJobCreate(
        [this.keys.job(job.id), this.keys.teamIndex(job.teamId), this.keys.userIndex(job.userId), this.keys.auditTrail(job.teamId)],
        [this.ttlSeconds, now.getTime(), job.id, this.keys.changes(), JSON.stringify(event), entry, ...pairs],
      ),
    );
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
    const [row] = await this.summaries(this.keys.job(jobId), [jobId]);
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
    const owner = { teamId: read.job?.teamId ?? null, userId: read.job?.userId ?? null };
    const now = this.now();
    const entry = options.audit && read.job ? this.auditEntry(options.audit, read.job, now) : "";
    // Without an owner the script fails before it needs the index keys (or finds a conflict).
    const keys =
      owner.teamId !== null && owner.userId !== null
        ? [
            jobKey,
            this.keys.teamIndex(owner.teamId),
            this.keys.userIndex(owner.userId),
            this.keys.auditTrail(owner.teamId),
            ...(options.takePartialResult ? [this.keys.partialResult(jobId, options.runId!)] : []),
          ]
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
    if (owner.teamId !== null) keys.push(this.keys.teamIndex(owner.teamId));
    if (owner.userId !== null) keys.push(this.keys.userIndex(owner.userId));
    const entry =
      owner.teamId !== null && actor !== undefined
        ? this.auditEntry({ actor, action: "deleted" }, { id: jobId, resourceId: owner.resourceId ?? undefined, resourceName: owner.resourceName ?? undefined }, now)
        : "";
    if (entry !== "") keys.push(this.keys.auditTrail(owner.teamId!));
    const removed = await this.call(() =>
      this.scripts.exportJobDelete(keys, [jobId, this.keys.changes(), now.toISOString(), owner.teamId ?? "", owner.userId ?? "", this.ttlSeconds, entry]),
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
    for (const team of listing) await this.call(() => this.redis.zrem(this.keys.teamIndex(team), jobId));
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
   * Reads only summary fields; ids whose record expired are pruned from the index.
   */
  async list(filterInput: JobFilter = {}, pageInput: Partial<{ offset: number; limit: number }> = {}, signal?: AbortSignal): Promise<JobListResult> {
    const filter = parseInput(jobFilterSchema, filterInput, "filter");
    const page = parseInput(pageSchema, pageInput, "page");
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
    const [total, ids] = await this.call(async () => {
      const results = await this.redis.multi().zcard(index).zrevrange(index, offset, offset + limit - 1).exec();
      if (!results) throw new Error("the list transaction was aborted");
      for (const [error] of results) if (error) throw error;
      return [results[0]![1] as number, results[1]![1] as string[]] as const;
    });
    const rows = await this.summaries(index, ids);
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
   * Filtered path: scans the index(es) in chunks, newest first, counting every match, up to
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
      for (let start = 0; ; start += CHUNK) {
        const ids = await this.call(() => this.redis.zrevrange(index, start, start + CHUNK - 1));
        if (ids.length === 0) return;
        const rows = await this.summaries(index, ids);
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
      for (const [index, ids] of byIndex) for (const row of await this.summaries(index, ids)) rowsById.set(row.id, row);
      yield chunk.map((entry) => rowsById.get(entry.id)!);
    }
  }

  private async allTeamIndexes(): Promise<string[]> {
    const found = new Set<string>();
    for await (const keys of this.scanKeys(this.keys.teamIndexPattern(), "zset")) for (const key of keys) found.add(key);
    return [...found];
  }

  /** SCAN in batches; a key may come twice (SCAN's guarantee), callers dedupe when it matters. */
  private async *scanKeys(pattern: string, type: "hash" | "zset"): AsyncGenerator<string[]> {
    let cursor = "0";
    do {
      const [next, keys] = await this.call(() => this.redis.scan(cursor, "MATCH", pattern, "COUNT", "1000", "TYPE", type));
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
    const key = this.keys.job(id);
    const [entry] = (await this.call(() => this.scripts.exportJobSummaries([key, key], [id]))) as (string | null)[][];
    const state = entry?.[0];
    if (state === "hash") {
      const values = entry!.slice(1);
      const job = this.decoded(id, decodeSummaryRow(values));
      return { job, fingerprint: recordFingerprint(values) };
    }
    if (state === "bad") throw new AppError("MALFORMED_RECORD", `job ${id}: ${String(entry![1])}`);
    return { job: null, fingerprint: "" };
  }

  /** Who owns the record at `key` (read before a write, which checks it again). */
  private async owner(key: string): Promise<{ kind: string; teamId: string | null; userId: string | null; resourceId: string | null; resourceName: string | null }> {
    const [kind, teamId, userId, resourceId, resourceName] = (await this.call(() => this.scripts.exportJobOwner([key], []))) as (string | null)[];
    return { kind: kind!, teamId: teamId || null, userId: userId || null, resourceId: resourceId || null, resourceName: resourceName || null };
  }

  /** The team or user an index lists the jobs of (null for anything else). */
  private ownerOfIndex(index: string): { field: "teamId" | "userId"; value: string } | null {
    const team = this.keys.teamIndex("");
    const user = this.keys.userIndex("");
    if (index.startsWith(team)) return { field: "teamId", value: index.slice(team.length) };
    if (index.startsWith(user)) return { field: "userId", value: index.slice(user.length) };
    return null;
  }

  /**
   * Summary rows of `ids` from `index`. An index does not vouch for its members: a record of
   * another team (or user) found in it is dropped from it and reported as gone.
   */
  private async summaries(index: string, ids: readonly string[]): Promise<SummaryRow[]> {
    const rows = await this.readSummaries(index, ids);
    const owner = this.ownerOfIndex(index);
    if (!owner) return rows;
    const foreign = rows.filter((row) => row.state === "ok" && row.job[owner.field] !== owner.value).map((row) => row.id);
    if (foreign.length === 0) return rows;
    await this.call(() => this.redis.zrem(index, ...foreign));
    return rows.map((row) => (foreign.includes(row.id) ? { state: "gone", id: row.id } : row));
  }

  private async readSummaries(index: string, ids: readonly string[]): Promise<SummaryRow[]> {
    if (ids.length === 0) return [];
    const keys = [index, ...ids.map((id) => this.keys.job(id))];
    const raw = (await this.call(() => this.scripts.exportJobSummaries(keys, ids))) as (string | null)[][];
    return raw.map((entry, i): SummaryRow => {
      const id = ids[i]!;
      const state = entry[0];
      if (state === "gone") return { state: "gone", id };
      if (state === "bad") return { state: "bad", id, reason: String(entry[1]) };
      const decoded = decodeSummaryRow(entry.slice(1));
      if (!decoded.ok) return { state: "bad", id, reason: decoded.reason };
      if (decoded.value.id !== id) return { state: "bad", id, reason: `the record says its id is ${decoded.value.id}` };
      return { state: "ok", id, job: decoded.value, encoding: state as RecordEncoding };
    });
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

type SummaryRow =
  | { state: "ok"; id: string; job: ExportJobSummary; encoding: RecordEncoding }
  | { state: "gone"; id: string }
  | { state: "bad"; id: string; reason: string };

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
