import type { ReactNode } from "react";
import type { ExportJobSummary } from "../../../shared/job";
import { TYPE_LABELS } from "./job-format";
import { JobProgress } from "./JobProgress";
import { StatusBadge } from "./StatusBadge";
import { Timestamp } from "./Timestamp";

const NOT_SET = <span className="muted">—</span>;

/** Every field of one job, the full error included. */
export function JobDetails({ job }: { job: ExportJobSummary }) {
  const rows: [string, ReactNode][] = [
    ["Id", <code>{job.id}</code>],
    ["Type", TYPE_LABELS[job.type]],
    ["Status", <StatusBadge status={job.status} />],
    ["Resource id", <code>{job.resourceId}</code>],
    ["Resource name", job.resourceName ?? NOT_SET],
    ["Group id", job.groupId ? <code>{job.groupId}</code> : NOT_SET],
    ["Team", <code>{job.teamId}</code>],
    ["User", job.userId],
    ["Created", <Timestamp iso={job.createdAt} />],
    ["Updated", <Timestamp iso={job.updatedAt} />],
    ["Completed", job.completedAt ? <Timestamp iso={job.completedAt} /> : NOT_SET],
    ["Progress", <JobProgress job={job} />],
    ["Attempts", job.attempts ?? NOT_SET],
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
      {job.error && (
        <section className="job-error" aria-label="Error">
          <h3>Error</h3>
          <pre>{job.error}</pre>
        </section>
      )}
    </>
  );
}
