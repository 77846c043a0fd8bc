import type { ExportJobSummary, JobStatus, JobType } from "../../../shared/job";

export const TYPE_LABELS: Record<JobType, string> = {
  document: "Document",
  dataroom: "Dataroom",
  "dataroom-group": "Dataroom group",
};

export const STATUS_LABELS: Record<JobStatus, string> = {
  PENDING: "Pending",
  PROCESSING: "Processing",
  COMPLETED: "Completed",
  FAILED: "Failed",
};

const pad = (value: number) => String(value).padStart(2, "0");

/** `YYYY-MM-DD HH:MM:SS` in the viewer's time zone (the ISO value is in the title). */
export function formatTimestamp(iso: string | undefined): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** "done / total" views, with "–" where a count is not known (e.g. the web app's records). */
export function progressText(job: Pick<ExportJobSummary, "progress" | "total">): string {
  return `${job.progress ?? "–"} / ${job.total ?? "–"}`;
}

/** 0..1, or null when the total is not known yet. */
export function progressFraction(job: Pick<ExportJobSummary, "progress" | "total" | "status">): number | null {
  if (job.total === undefined) return job.status === "COMPLETED" ? 1 : null;
  if (job.total === 0) return job.status === "COMPLETED" ? 1 : 0;
  return Math.min(1, (job.progress ?? 0) / job.total);
}

export function resourceLabel(job: Pick<ExportJobSummary, "resourceId" | "resourceName">): string {
  return job.resourceName ? `${job.resourceName} (${job.resourceId})` : job.resourceId;
}
