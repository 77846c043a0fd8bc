import type { ExportJobSummary } from "../../../shared/job";
import { progressFraction, progressText } from "./job-format";

/** A progress bar with "views done / total" beside it. */
export function JobProgress({ job }: { job: Pick<ExportJobSummary, "id" | "progress" | "total" | "status"> }) {
  const fraction = progressFraction(job);
  const text = progressText(job);
  return (
    <span className="job-progress">
      {fraction === null ? (
        <progress className={`progress-${job.status.toLowerCase()}`} aria-label={`Views exported for ${job.id}: ${text}`} />
      ) : (
        <progress className={`progress-${job.status.toLowerCase()}`} value={fraction} max={1} aria-label={`Views exported for ${job.id}: ${text}`} />
      )}
      <span className="progress-text">{text}</span>
    </span>
  );
}
