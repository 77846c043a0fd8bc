import { createColumnHelper, type RowData } from "@tanstack/react-table";
import type { ExportJobSummary } from "../../../shared/job";
import { OPTIONAL_COLUMNS } from "../state/column-defaults";
import { ExportIdCell } from "./ExportIdCell";
import { formatBytes, formatElapsed, progressFraction, runDurationMs, TYPE_LABELS } from "./job-format";
import { JobProgress } from "./JobProgress";
import { RowActions } from "./RowActions";
import { SelectionCheckbox } from "./SelectionCheckbox";
import { StatusBadge } from "./StatusBadge";
import { Timestamp } from "./Timestamp";

declare module "@tanstack/react-table" {
  // What every cell may need besides its row: the clock for times left and durations, and the queue.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface TableMeta<TData extends RowData> {
    now: Date;
    queuePositions: Record<string, number>;
  }
}

const column = createColumnHelper<ExportJobSummary>();
const HEADERS = Object.fromEntries(OPTIONAL_COLUMNS) as Record<(typeof OPTIONAL_COLUMNS)[number][0], string>;

function ResourceCell({ job }: { job: ExportJobSummary }) {
  return (
    <span className="resource-cell">
      <span className="resource-name" title={job.resourceName ?? job.resourceId}>
        {job.resourceName ?? job.resourceId}
      </span>
      <span className="resource-meta">
        <span>{TYPE_LABELS[job.type]}</span>
        {job.resourceName && <code title={job.resourceId}>{job.resourceId}</code>}
        {job.groupId && <code title={`group ${job.groupId}`}>{job.groupId}</code>}
      </span>
    </span>
  );
}

/**
 * The jobs table's columns. Every data column sorts, within the page shown (the server
 * pages newest first); absent values sort last. Which are shown is the Columns menu's choice.
 */
export const JOB_COLUMNS = [
  column.display({
    id: "select",
    enableSorting: false,
    enableHiding: false,
    header: ({ table }) => (
      <SelectionCheckbox
        label="Select all exports on this page"
        checked={table.getIsAllRowsSelected()}
        indeterminate={table.getIsSomeRowsSelected()}
        onChange={(checked) => table.toggleAllRowsSelected(checked)}
      />
    ),
    cell: ({ row }) => <SelectionCheckbox label={`Select export ${row.id}`} checked={row.getIsSelected()} onChange={(checked) => row.toggleSelected(checked)} />,
  }),
  column.accessor("id", { header: HEADERS.id, cell: (info) => <ExportIdCell id={info.getValue()} /> }),
  column.accessor((job) => job.resourceName ?? job.resourceId, { id: "resource", header: HEADERS.resource, cell: ({ row }) => <ResourceCell job={row.original} /> }),
  column.accessor("type", { header: HEADERS.type, cell: (info) => TYPE_LABELS[info.getValue()] }),
  column.accessor("groupId", { id: "group", header: HEADERS.group, sortUndefined: "last", cell: (info) => info.getValue() ?? "" }),
  column.accessor("status", { header: HEADERS.status, cell: ({ row }) => <StatusBadge job={row.original} withIcons /> }),
  column.accessor((job) => progressFraction(job) ?? -1, {
    id: "progress",
    header: HEADERS.progress,
    cell: ({ row, table }) => <JobProgress job={row.original} queuePosition={table.options.meta?.queuePositions[row.id]} now={table.options.meta?.now ?? new Date(0)} />,
  }),
  column.accessor("userId", { id: "user", header: HEADERS.user, cell: (info) => <span className="user-cell" title={info.getValue()}>{info.getValue()}</span> }),
  ...(["createdAt", "updatedAt", "startedAt", "completedAt"] as const).map((field) =>
    column.accessor(field, {
      header: HEADERS[field],
      sortUndefined: "last",
      cell: ({ getValue, table }) => <Timestamp iso={getValue()} compact={{ now: table.options.meta?.now ?? new Date(0) }} />,
    }),
  ),
  column.accessor((job) => runDurationMs(job, new Date(job.updatedAt)) ?? undefined, {
    id: "duration",
    header: HEADERS.duration,
    sortUndefined: "last",
    cell: ({ row, table }) => {
      const ms = runDurationMs(row.original, table.options.meta?.now ?? new Date(0));
      return ms === null ? null : formatElapsed(ms);
    },
  }),
  column.accessor("rows", { header: HEADERS.rows, sortUndefined: "last", cell: (info) => info.getValue()?.toLocaleString("en-US") }),
  column.accessor("bytes", { header: HEADERS.bytes, sortUndefined: "last", cell: (info) => (info.getValue() === undefined ? null : formatBytes(info.getValue()!)) }),
  column.accessor("error", {
    header: HEADERS.error,
    sortUndefined: "last",
    cell: (info) => (info.getValue() ? <span className="error-cell" title={info.getValue()}>{info.getValue()}</span> : null),
  }),
  column.display({ id: "actions", header: "Actions", enableSorting: false, enableHiding: false, cell: ({ row }) => <RowActions job={row.original} withCopyId={false} /> }),
];
