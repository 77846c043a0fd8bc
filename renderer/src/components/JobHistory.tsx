import { useEffect, useState } from "react";
import type { AuditEntry } from "../../../shared/audit";
import type { ExportJobSummary } from "../../../shared/job";
import { useConsole } from "../state/console-context";
import { AUDIT_ACTION_LABELS } from "./job-format";
import { Timestamp } from "./Timestamp";

/** Who did what to this export, and when (its team's audit trail), newest first; read again when the job changes. */
export function JobHistory({ job }: { job: ExportJobSummary }) {
  const { api } = useConsole();
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    api.listAudit({ teamId: job.teamId, query: { jobId: job.id } }).then(
      (page) => {
        if (!current) return;
        setEntries(page.entries);
        setError(null);
      },
      (failure: unknown) => {
        if (current) setError(failure instanceof Error ? failure.message : String(failure));
      },
    );
    return () => {
      current = false;
    };
  }, [api, job.id, job.teamId, job.updatedAt]);

  return (
    <section className="job-history" aria-label="History">
      <h3>History</h3>
      {error && <p role="alert">Could not load the history: {error}</p>}
      {!error && entries === null && <p className="muted">Loading…</p>}
      {entries !== null && entries.length === 0 && <p className="muted">No recorded actions.</p>}
      {entries !== null && entries.length > 0 && (
        <ol>
          {entries.map((entry) => (
            <li key={`${entry.at}-${entry.action}-${entry.actor}`}>
              <Timestamp iso={entry.at} /> {AUDIT_ACTION_LABELS[entry.action]} by <strong>{entry.actor}</strong>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
