import type { ReactNode } from "react";
import type { ExportJobSummary } from "../../../shared/job";
import { useConsoleStore } from "../state/console-context";
import { formatBytes, formatElapsed, outlookText, runDurationMs, TYPE_LABELS } from "./job-format";
import { JobProgress } from "./JobProgress";
import { StatusBadge } from "./StatusBadge";
import { Timestamp } from "./Timestamp";
import { useNow } from "./useNow";

const NOT_SET = <span className="muted">—</span>;

/** Every field of one job, what its run did (time, rows, file size), its warnings and the full error. */
export function JobDetails({ job }: { job: ExportJobSummary }) {
  const queuePosition = useConsoleStore((m) => m.jobs, (s) => s.queuePositions[job.id]);
  const now = useNow(job.status === "PROCESSING", 1000);
  const duration = runDurationMs(job, now);
  const outlook = outlookText(job, queuePosition, now);
  const rows: [string, ReactNode][] = [
    ["Id", <code>{job.id}</code>],
    ["Type", TYPE_LABELS[job.type]],
    ["Status", <StatusBadge job={job} />],
    ["Resource id", <code>{job.resourceId}</code>],
    ["Resource name", job.resourceName ?? NOT_SET],
    ["Group id", job.groupId ? <code>{job.groupId}</code> : NOT_SET],
    ["Team", <code>{job.teamId}</code>],
    ["User", job.userId],
    ["Created", <Timestamp iso={job.createdAt} />],
    ["Started", job.startedAt ? <Timestamp iso={job.startedAt} /> : NOT_SET],
    ["Updated", <Timestamp iso={job.updatedAt} />],
    ["Completed", job.completedAt ? <Timestamp iso={job.completedAt} /> : NOT_SET],
    ["Duration", duration === null ? NOT_SET : formatElapsed(duration)],
    ["Progress", <JobProgress job={job} queuePosition={queuePosition} now={now} />],
    ...(outlook ? ([[job.status === "PENDING" ? "Queue" : "Time left", outlook]] as [string, ReactNode][]) : []),
    ["Rows written", job.rows === undefined ? NOT_SET : job.rows.toLocaleString("en-US")],
    ["File size", job.bytes === undefined ? NOT_SET : <span title={`${job.bytes.toLocaleString("en-US")} bytes`}>{formatBytes(job.bytes)}</span>],
    ["Attempts", job.attempts ?? NOT_SET],
    ["Tinybird mode", job.mode ? `${job.mode}${job.modeReason ? ` (${job.modeReason})` : ""}` : NOT_SET],
    ["Tinybird calls", job.tinybirdCalls === undefined ? NOT_SET : job.tinybirdCalls.toLocaleString("en-US")],
    ["Cancel requested", job.cancelRequested === undefined ? NOT_SET : job.cancelRequested ? "Yes" : "No"],
  ];
  return (
    <>
      <dl className="job-details">
        {rows.map(([label, value]) => (
          <div key={label} className="job-detail-row">
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      {job.warnings && job.warnings.length > 0 && (
        <section className="job-warnings" aria-label="Warnings">
          <h3>Warnings</h3>
          <ul>
            {job.warnings.map((warning) => (
              <li key={warning}>{warning}</li>
            ))}
          </ul>
        </section>
      )}
      {job.error && (
        <section className="job-error" aria-label="Error">
          <h3>Error</h3>
          <pre>{job.error}</pre>
        </section>
      )}
    </>
  );
}
