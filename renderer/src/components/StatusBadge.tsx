import type { JobStatus } from "../../../shared/job";
import { STATUS_LABELS } from "./job-format";

/** A coloured status pill; the text carries the meaning, the colour only helps. */
export function StatusBadge({ status }: { status: JobStatus }) {
  return <span className={`status-badge status-${status.toLowerCase()}`}>{STATUS_LABELS[status]}</span>;
}
