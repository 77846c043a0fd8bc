import type { AuditPage } from "../../../shared/audit";
import { AppError } from "../../../shared/errors";
import { idSchema } from "../../../shared/ids";
import { parseInput } from "../../../shared/parse-input";
import {
  ACTIVE_STATUSES,
  createExportInputSchema,
  type CreateExportInput,
  type ExportJob,
  type ExportJobSummary,
  type JobFilter,
  type JobListResult,
} from "../../../shared/job";
import { isPermanentFailure, permanentFailureReason } from "../../../shared/job-failure";
import { resultLocation } from "../../../shared/job-result";
import type { ResourcePage, ResourceQuery, TeamPage, TeamQuery } from "../../../shared/resources";
import type { JobStore } from "../jobs/job-store";
import type { ResourceCatalog } from "../views/resource-catalog";
import type { ExportQueue } from "./export-queue";

/** A COMPLETED export's CSV, or the URL where Papermark's web app keeps it. */
export type ExportResult = { job: ExportJobSummary; csv: string } | { job: ExportJobSummary; location: string };

/** Which teams a caller may see; `null` = every team (the desktop console's support staff). */
export type TeamScope = readonly string[] | null;


/**
 * The use cases behind both the IPC contract and the REST API: create, list, read, cancel,
 * retry and delete exports. It validates every input; callers pass the user's team scope
 * and, for a change, the acting user, whom the team's audit trail records.
 */
export class ExportService {
  constructor(
    private readonly store: JobStore,
    private readonly queue: ExportQueue,
    /** Papermark's resources: checked at create, searched by the form. */
    private readonly catalog: ResourceCatalog,
  ) {}

  private checkTeam(teamId: string, scope: TeamScope): void {
    // A team the caller does not belong to does not exist for it.
    if (scope !== null && !scope.includes(teamId)) throw new AppError("NOT_FOUND", `team ${teamId} not found`);
  }

  private visible<T extends ExportJobSummary>(job: T | null, scope: TeamScope, id: string): T {
    // Another team's job is "not found", never "forbidden": its existence is not revealed.
    if (!job || (scope !== null && !scope.includes(job.teamId))) throw new AppError("NOT_FOUND", `export ${id} not found`);
    return job;
  }

  async create(input: unknown, userId: string, scope: TeamScope): Promise<ExportJob> {
    const request: CreateExportInput = parseInput(createExportInputSchema, input, "export request");
    const user = parseInput(idSchema, userId, "user id");
    this.checkTeam(request.teamId, scope);
    // Refused now, not failed later: the resource (and group) must exist in this team.
    const resourceName = await this.catalog.resolve(request);
    const job = await this.store.create({ ...request, resourceName, userId: user });
    // If this enqueue fails, the record stays PENDING and the next runner start re-enqueues it.
    await this.queue.enqueue(job.id);
    return job;
  }

  /** `signal`: the caller has gone, stop reading (a long filtered scan). */
  async list(filter: JobFilter, page: { offset?: number; limit?: number }, scope: TeamScope, signal?: AbortSignal): Promise<JobListResult> {
    if (scope !== null && (!filter.teamId || !scope.includes(filter.teamId))) {
      if (filter.teamId) throw new AppError("NOT_FOUND", `team ${filter.teamId} not found`);
      throw new AppError("BAD_INPUT", "a team must be given");
    }
    return this.withQueuePositions(await this.store.list(filter, page, signal));
  }

  /** Adds where each PENDING job of the page stands in the queue (1 = runs next). */
  private async withQueuePositions(result: JobListResult): Promise<JobListResult> {
    if (!result.jobs.some((job) => job.status === "PENDING")) return result;
    const rank = new Map((await this.queue.waitingIds()).map((id, index) => [id, index + 1]));
    const queuePositions: Record<string, number> = {};
    for (const job of result.jobs) {
      const position = job.status === "PENDING" ? rank.get(job.id) : undefined;
      if (position !== undefined) queuePositions[job.id] = position;
    }
    return { ...result, queuePositions };
  }

  async get(id: unknown, scope: TeamScope): Promise<ExportJobSummary> {
    const jobId = parseInput(idSchema, id, "export id");
    return this.visible(await this.store.getSummary(jobId), scope, jobId);
  }

  /**
   * The CSV of a COMPLETED export, or where it is: a web-app record may hold the URL of
   * its CSV in blob storage instead of the CSV.
   */
  async result(id: unknown, scope: TeamScope): Promise<ExportResult> {
    const jobId = parseInput(idSchema, id, "export id");
    const stored = await this.store.get(jobId);
    const { result, ...job } = this.visible(stored?.job ?? null, scope, jobId);
    if (job.status === "FAILED") {
      throw new AppError("CONFLICT", `export ${jobId} failed, so it has no CSV${job.error ? `: ${job.error}` : ""}`);
    }
    if (job.status !== "COMPLETED" || result === undefined) {
      throw new AppError("CONFLICT", `export ${jobId} is ${job.status}, not COMPLETED: there is no CSV yet`);
    }
    const location = stored?.encoding === "json" ? resultLocation(result) : null;
    return location ? { job, location } : { job, csv: result };
  }

  /** Stops a PENDING or PROCESSING export: FAILED "Cancelled by user"; the run is aborted. */
  async cancel(id: unknown, actor: string, scope: TeamScope): Promise<ExportJobSummary> {
    return this.stop(id, parseInput(idSchema, actor, "user id"), scope);
  }

  /** Cancels; `actor` null when the cancel is part of another action (a delete) that records itself. */
  private async stop(id: unknown, actor: string | null, scope: TeamScope): Promise<ExportJobSummary> {
    const job = await this.get(id, scope);
    await this.store.cancel(job.id, actor ?? undefined);
    await this.queue.remove(job.id);
    return this.get(job.id, scope);
  }

  /** A team's documents, datarooms or a dataroom's groups by name or id, with view counts. */
  async findResources(query: ResourceQuery, scope: TeamScope): Promise<ResourcePage> {
    if (typeof query?.teamId === "string") this.checkTeam(query.teamId, scope);
    return this.catalog.search(query);
  }

  /** Teams by name or id, among the caller's. */
  async findTeams(query: TeamQuery, scope: TeamScope): Promise<TeamPage> {
    return this.catalog.teams(query, scope);
  }

  /** Runs a FAILED export again from the start (not one that failed for good). */
  async retry(id: unknown, actor: string, scope: TeamScope): Promise<ExportJobSummary> {
    const user = parseInput(idSchema, actor, "user id");
    const job = await this.get(id, scope);
    if (isPermanentFailure(job)) throw new AppError("CONFLICT", `export ${job.id} cannot be retried: ${permanentFailureReason(job.error ?? "")}`);
    await this.store.transition(job.id, "PENDING", {
      from: ["FAILED"],
      patch: { attempts: 0, progress: 0 },
      clear: ["error", "completedAt", "cancelRequested", "total", "runId", "result"],
      audit: { actor: user, action: "retried" },
    });
    await this.queue.remove(job.id);
    await this.queue.enqueue(job.id);
    return this.get(job.id, scope);
  }

  /** Deletes an export; a running one is cancelled first so its run stops. */
  async delete(id: unknown, actor: string, scope: TeamScope): Promise<void> {
    const jobId = parseInput(idSchema, id, "export id");
    const user = parseInput(idSchema, actor, "user id");
    let job: ExportJobSummary;
    try {
      job = await this.get(jobId, scope);
    } catch (error) {
      if (!(error instanceof AppError && error.code === "MALFORMED_RECORD")) throw error;
      // A record that does not decode has no status to respect; it goes if the caller's team owns it.
      if (!(await this.store.deleteMalformed(jobId, scope, user))) throw new AppError("NOT_FOUND", `export ${jobId} not found`);
      await this.queue.remove(jobId);
      return;
    }
    if (ACTIVE_STATUSES.includes(job.status)) {
      // Recorded once, as the delete.
      await this.stop(job.id, null, scope).catch((error: unknown) => {
        // Like cancel: a running web-app job belongs to its runner, so it stays.
        if (error instanceof AppError && error.code === "FOREIGN_RECORD") {
          throw new AppError("FOREIGN_RECORD", `export ${job.id} was created by Papermark's web app and is still ${job.status}: its runner manages it, so it can be deleted once it has finished`);
        }
        // Anything else (it finished meanwhile): delete it anyway.
        if (!(error instanceof AppError) || error.code === "UNAVAILABLE") throw error;
      });
    }
    await this.store.delete(job.id, user);
    await this.queue.remove(job.id);
  }

  /** A team's audit trail (who created, cancelled, retried or deleted which export), newest first. */
  async auditTrail(teamId: unknown, query: { jobId?: string; offset?: number; limit?: number }, scope: TeamScope): Promise<AuditPage> {
    const team = parseInput(idSchema, teamId, "team id");
    this.checkTeam(team, scope);
    return this.store.auditTrail(team, query);
  }
}
