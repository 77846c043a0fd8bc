import type { JobState, JobType } from "../../../shared/job";

/**
 * Redis key names, shared with Papermark's web app. `prefix` is empty in production (the web
 * app uses bare names); tests give every test its own prefix so they never see each other.
 */
export interface JobKeys {
  readonly prefix: string;
  job(id: string): string;
  teamIndex(teamId: string): string;
  userIndex(userId: string): string;
  /*
   * Secondary indexes of a team's index (ours alone; the web app knows only the two above):
   * sorted sets scored like team_jobs:<teamId>, written by the same scripts as the record.
   * Every member of the team index is in exactly one state index or in the unindexed set;
   * a member of a state index, and a web-app record of the unindexed set, is also in its type
   * and resource index and the resource map.
   */
  /** The team's jobs in one state (jobStateOf: CANCELLED apart from FAILED). */
  teamStateIndex(teamId: string, state: JobState): string;
  teamTypeIndex(teamId: string, type: JobType): string;
  teamResourceIndex(teamId: string, resourceId: string): string;
  /**
   * A hash: the resourceId of each job in the team's type and resource indexes. A record that is gone
   * cannot say which resource index lists it; this can, so the id leaves that index too.
   */
  teamResourceMap(teamId: string): string;
  /**
   * Members of the team index that the secondary indexes cannot vouch for: the web app's
   * records (its runner changes their status without us; their type and resource do not
   * change, so they are in those indexes too) and records that do not decode. A filtered
   * listing reads each of them that its type and resource indexes list, or the map does not name.
   */
  teamUnindexed(teamId: string): string;
  /**
   * A sorted set: each member of the team index (that has a TTL) scored by when its record
   * expires (ms since the epoch), written by every script that sets or refreshes that TTL.
   * A listing of the team first takes the ids whose time has passed out of every index:
   * an expired record leaves them whether or not a page reads it.
   */
  teamExpiry(teamId: string): string;
  /** Holds the layout version once the team's existing jobs have been indexed (the backfill). */
  teamIndexVersion(teamId: string): string;
  /** A team's audit trail: a list of AuditEntry JSON, newest first, written with the change it records. */
  auditTrail(teamId: string): string;
  /** SCAN patterns (the prefix's glob characters escaped). */
  jobPattern(): string;
  teamIndexPattern(): string;
  /** The team's resource indexes (found when the team is indexed again). */
  teamResourceIndexPattern(teamId: string): string;
  /** Pub/sub channel that carries a JobChange for every write. */
  changes(): string;
  /** Pub/sub channel asking whichever runner holds a job to abort it. */
  cancellations(): string;
  /** The CSV of one run while it is being written (outside export_job:*, which readers scan). */
  partialResult(id: string, runId: string): string;
}

/** Escapes the characters SCAN MATCH treats as a pattern. */
function globLiteral(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}

export function jobKeys(prefix = ""): JobKeys {
  return {
    prefix,
    job: (id) => `${prefix}export_job:${id}`,
    teamIndex: (teamId) => `${prefix}team_jobs:${teamId}`,
    userIndex: (userId) => `${prefix}user_jobs:${userId}`,
    teamStateIndex: (teamId, state) => `${prefix}team_jobs_state:${teamId}:${state}`,
    teamTypeIndex: (teamId, type) => `${prefix}team_jobs_type:${teamId}:${type}`,
    teamResourceIndex: (teamId, resourceId) => `${prefix}team_jobs_resource:${teamId}:${resourceId}`,
    teamResourceMap: (teamId) => `${prefix}team_jobs_resources:${teamId}`,
    teamUnindexed: (teamId) => `${prefix}team_jobs_unindexed:${teamId}`,
    teamExpiry: (teamId) => `${prefix}team_jobs_expiry:${teamId}`,
    teamIndexVersion: (teamId) => `${prefix}team_jobs_indexed:${teamId}`,
    auditTrail: (teamId) => `${prefix}export_audit:${teamId}`,
    jobPattern: () => `${globLiteral(prefix)}export_job:*`,
    teamIndexPattern: () => `${globLiteral(prefix)}team_jobs:*`,
    teamResourceIndexPattern: (teamId) => `${globLiteral(prefix)}team_jobs_resource:${globLiteral(teamId)}:*`,
    changes: () => `${prefix}export_jobs:changes`,
    cancellations: () => `${prefix}export_jobs:cancel`,
    partialResult: (id, runId) => `${prefix}export_partial:${id}:${runId}`,
  };
}
