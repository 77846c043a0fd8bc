import { jobStateOf, type ExportJobSummary } from "../../../shared/job";
import { STATE_LABELS } from "./job-format";

/**
 * A coloured state pill (the text carries the meaning, the colour only helps), with an icon
 * whose tooltip holds the error of a failure or a retry, and one for the exporter's warnings.
 */
export function StatusBadge({ job, withIcons = false }: { job: Pick<ExportJobSummary, "status" | "cancelRequested" | "error" | "warnings">; withIcons?: boolean }) {
  const state = jobStateOf(job);
  const showError = withIcons && job.error && state !== "CANCELLED" && state !== "COMPLETED";
  const warnings = withIcons ? (job.warnings ?? []) : [];
  return (
    <span className="status-cell">
      <span className={`status-badge status-${state.toLowerCase()}`}>{STATE_LABELS[state]}</span>
      {showError && (
        <span className="status-icon status-icon-error" role="img" aria-label={`Error: ${job.error}`} title={job.error}>
          !
        </span>
      )}
      {warnings.length > 0 && (
        <span className="status-icon status-icon-warning" role="img" aria-label={`Warnings: ${warnings.join("; ")}`} title={warnings.join("\n")}>
          ⚠
        </span>
      )}
    </span>
  );
}
