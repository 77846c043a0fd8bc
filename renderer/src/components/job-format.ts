import type { AuditAction } from "../../../shared/audit";
import type { ExportJobSummary, JobState, JobType } from "../../../shared/job";

export const TYPE_LABELS: Record<JobType, string> = {
  document: "Document",
  dataroom: "Dataroom",
  "dataroom-group": "Dataroom group",
};

export const STATE_LABELS: Record<JobState, string> = {
  PENDING: "Pending",
  PROCESSING: "Processing",
  COMPLETED: "Completed",
  FAILED: "Failed",
  CANCELLED: "Cancelled",
};

/** What the audit trail says a person did to an export. */
export const AUDIT_ACTION_LABELS: Record<AuditAction, string> = { created: "Created", cancelled: "Cancelled", retried: "Retried", deleted: "Deleted" };

const pad = (value: number) => String(value).padStart(2, "0");
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `YYYY-MM-DD HH:MM:SS` in the viewer's time zone (the ISO value is in the title). */
export function formatTimestamp(iso: string | undefined): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** `Mar 2 09:58` (the year only when it is not this year's): a table cell's date. */
export function formatCompactTimestamp(iso: string | undefined, now: Date): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const day = `${MONTHS[date.getMonth()]} ${date.getDate()}${date.getFullYear() === now.getFullYear() ? "" : `, ${date.getFullYear()}`}`;
  return `${day} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** The first characters of an id, enough to tell rows apart; the full id is copied. */
export function shortId(id: string): string {
  return id.length > 8 ? `${id.slice(0, 8)}…` : id;
}

/** "45 s", "3 min 5 s", "2 h 10 min": a duration for people. */
export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 ? `${minutes} min ${seconds % 60} s` : `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
}

/** "512 B", "3.4 KB", "12.0 MB" (1 KB = 1024 bytes). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

const count = (value: number) => value.toLocaleString("en-US");

/**
 * "done / total views", with "–" where a count is not known (e.g. the web app's records).
 * Progress counts the views read; the file's rows are counted apart (a dataroom's visits
 * and document views differ from its rows).
 */
export function progressText(job: Pick<ExportJobSummary, "progress" | "total">): string {
  return `${job.progress === undefined ? "–" : count(job.progress)} / ${job.total === undefined ? "–" : count(job.total)} views`;
}

/** 0..1, or null when the total is not known yet. */
export function progressFraction(job: Pick<ExportJobSummary, "progress" | "total" | "status">): number | null {
  if (job.total === undefined) return job.status === "COMPLETED" ? 1 : null;
  if (job.total === 0) return job.status === "COMPLETED" ? 1 : 0;
  return Math.min(1, (job.progress ?? 0) / job.total);
}

/** How long the run took (started to completed), or has taken so far; null before it started. */
export function runDurationMs(job: Pick<ExportJobSummary, "startedAt" | "completedAt" | "status">, now: Date): number | null {
  if (!job.startedAt) return null;
  const end = job.completedAt ? Date.parse(job.completedAt) : job.status === "PROCESSING" ? now.getTime() : null;
  return end === null ? null : Math.max(0, end - Date.parse(job.startedAt));
}

/**
 * Time left of a PROCESSING job at the rate it has read views since its run started; null
 * until there is a rate to go by.
 */
export function remainingMs(job: Pick<ExportJobSummary, "status" | "startedAt" | "progress" | "total">, now: Date): number | null {
  if (job.status !== "PROCESSING" || !job.startedAt || !job.progress || job.total === undefined) return null;
  const elapsed = now.getTime() - Date.parse(job.startedAt);
  if (!(elapsed > 0)) return null;
  return (Math.max(0, job.total - job.progress) * elapsed) / job.progress;
}

const ORDINAL_SUFFIX: Record<string, string> = { one: "st", two: "nd", few: "rd", other: "th" };
const ordinalRules = new Intl.PluralRules("en-US", { type: "ordinal" });
export const ordinal = (n: number) => `${n}${ORDINAL_SUFFIX[ordinalRules.select(n)]}`;

/**
 * Where the job stands, when it is not done: "2nd in queue", "waiting for a retry",
 * "about 3 min left", "estimating…". Null for finished jobs.
 */
export function outlookText(job: Pick<ExportJobSummary, "status" | "startedAt" | "progress" | "total">, queuePosition: number | undefined, now: Date): string | null {
  if (job.status === "PENDING") return queuePosition === undefined ? "waiting to run" : queuePosition === 1 ? "next in queue" : `${ordinal(queuePosition)} in queue`;
  if (job.status !== "PROCESSING") return null;
  const left = remainingMs(job, now);
  if (left === null) return "estimating time left…";
  return left < 5000 ? "almost done" : `about ${formatElapsed(Math.round(left / 5000) * 5000)} left`;
}
