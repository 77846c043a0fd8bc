import type { ExportJobSummary } from "../../../shared/job";
import { isPermanentFailure } from "../../../shared/job-failure";
import { useConsole } from "../state/console-context";

/**
 * Save CSV, cancel, retry, copy id and delete for one job (each only when it applies; no
 * retry after a failure for good). The table leaves out Copy id: its id cell has its own
 * copy button.
 */
export function RowActions({ job, withCopyId = true }: { job: Pick<ExportJobSummary, "id" | "status" | "error">; withCopyId?: boolean }) {
  const { actions } = useConsole();
  const running = job.status === "PENDING" || job.status === "PROCESSING";
  return (
    <span className="row-actions">
      <button type="button" disabled={job.status !== "COMPLETED"} aria-label={`Save CSV of export ${job.id}`} onClick={() => void actions.save(job.id)}>
        Save CSV
      </button>
      {running && (
        <button type="button" aria-label={`Cancel export ${job.id}`} onClick={() => void actions.cancel(job.id)}>
          Cancel
        </button>
      )}
      {job.status === "FAILED" && !isPermanentFailure(job) && (
        <button type="button" aria-label={`Retry export ${job.id}`} onClick={() => void actions.retry(job.id)}>
          Retry
        </button>
      )}
      {withCopyId && (
        <button type="button" aria-label={`Copy id of export ${job.id}`} onClick={() => void actions.copyId(job.id)}>
          Copy id
        </button>
      )}
      <button type="button" className="danger" aria-label={`Delete export ${job.id}`} onClick={() => actions.confirmDelete([job.id])}>
        Delete
      </button>
    </span>
  );
}
