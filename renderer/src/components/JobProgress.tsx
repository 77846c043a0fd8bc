import type { ExportJobSummary } from "../../../shared/job";
import { outlookText, progressFraction, progressText } from "./job-format";

/**
 * A progress bar with "views done / total" beside it (progress counts views; the file's rows
 * are counted apart) and, for a job not done yet, its place in the queue or its time left.
 */
export function JobProgress({
  job,
  queuePosition,
  now,
}: {
  job: Pick<ExportJobSummary, "id" | "progress" | "total" | "status" | "startedAt">;
  queuePosition?: number;
  now: Date;
}) {
  const fraction = progressFraction(job);
  const text = progressText(job);
  const outlook = outlookText(job, queuePosition, now);
  const label = `Views exported for ${job.id}: ${text}`;
  return (
    <span className="job-progress">
      {fraction === null ? (
        <progress className={`progress-${job.status.toLowerCase()}`} aria-label={label} />
      ) : (
        <progress className={`progress-${job.status.toLowerCase()}`} value={fraction} max={1} aria-label={label} />
      )}
      <span className="progress-words">
        <span className="progress-text">{text}</span>
        {outlook && <span className="progress-outlook">{outlook}</span>}
      </span>
    </span>
  );
}
