import { useEffect, useId, useRef } from "react";
import { useConsole, useConsoleStore } from "../state/console-context";
import { JobDetails } from "./JobDetails";
import { JobHistory } from "./JobHistory";
import { RowActions } from "./RowActions";

/** The open job: every field, its attempts and full error, and its actions. Escape closes it. */
export function DetailPanel() {
  const { detail } = useConsole();
  const jobId = useConsoleStore((m) => m.detail, (s) => s.jobId);
  const job = useConsoleStore((m) => m.detail, (s) => s.job);
  const phase = useConsoleStore((m) => m.detail, (s) => s.phase);
  const error = useConsoleStore((m) => m.detail, (s) => s.error);
  const headingId = useId();
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (jobId) heading.current?.focus();
  }, [jobId]);

  if (!jobId || phase === "closed") return null;

  const close = () => {
    detail.getState().close();
    // Back to the job's row, so keyboard users continue where they were.
    [...document.querySelectorAll<HTMLElement>("tr[data-job-id]")].find((row) => row.dataset.jobId === jobId)?.focus();
  };

  return (
    <aside
      className="detail-panel"
      data-job-id={jobId}
      aria-labelledby={headingId}
      onKeyDown={(event) => {
        if (event.key === "Escape") close();
      }}
    >
      <div className="detail-header">
        <h2 id={headingId} ref={heading} tabIndex={-1}>
          Export <code>{jobId}</code>
        </h2>
        <button type="button" className="close-button" aria-label="Close details" onClick={close}>
          ×
        </button>
      </div>
      {phase === "loading" && <p role="status">Loading…</p>}
      {phase === "deleted" && <p role="status">This export no longer exists (deleted or expired).</p>}
      {phase === "error" && error && <p role="alert">Could not load this export: {error.message}</p>}
      {job && phase !== "deleted" && (
        <>
          {error && phase === "ready" && <p className="stale-error">Last refresh failed: {error.message}</p>}
          <JobDetails job={job} />
          <JobHistory job={job} />
          <div className="detail-actions">
            <RowActions job={job} />
          </div>
        </>
      )}
    </aside>
  );
}
