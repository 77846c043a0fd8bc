import { createColumnHelper } from "@tanstack/react-table";
import type { ExportJobSummary } from "../../../shared/job";
import { progressFraction, TYPE_LABELS } from "./job-format";
import { JobProgress } from "./JobProgress";
import { RowActions } from "./RowActions";
import { SelectionCheckbox } from "./SelectionCheckbox";
import { StatusBadge } from "./StatusBadge";
import { Timestamp } from "./Timestamp";

const column = createColumnHelper<ExportJobSummary>();

/**
 * The jobs table's columns. Every data column sorts, within the page shown (the server
 * pages newest first); absent values sort last.
 */
export const JOB_COLUMNS = [
  column.display({
    id: "select",
    enableSorting: false,
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
  column.accessor("id", { header: "Id", cell: (info) => <code title={info.getValue()}>{info.getValue()}</code> }),
  column.accessor("type", { header: "Type", cell: (info) => TYPE_LABELS[info.getValue()] }),
  column.accessor((job) => job.resourceName ?? job.resourceId, {
    id: "resource",
    header: "Resource",
    cell: ({ row }) => (
      <span className="resource-cell">
        <span>{row.original.resourceName ?? row.original.resourceId}</span>
        {row.original.resourceName && <code className="muted">{row.original.resourceId}</code>}
      </span>
    ),
  }),
  column.accessor("groupId", { header: "Group", sortUndefined: "last", cell: (info) => info.getValue() ?? "" }),
  column.accessor("status", { header: "Status", cell: (info) => <StatusBadge status={info.getValue()} /> }),
  column.accessor((job) => progressFraction(job) ?? -1, { id: "progress", header: "Progress", cell: ({ row }) => <JobProgress job={row.original} /> }),
  column.accessor("userId", { header: "User" }),
  column.accessor("createdAt", { header: "Created", cell: (info) => <Timestamp iso={info.getValue()} /> }),
  column.accessor("updatedAt", { header: "Updated", cell: (info) => <Timestamp iso={info.getValue()} /> }),
  column.accessor("completedAt", { header: "Completed", sortUndefined: "last", cell: (info) => <Timestamp iso={info.getValue()} /> }),
  column.accessor("error", {
    header: "Error",
    sortUndefined: "last",
    cell: (info) => (info.getValue() ? <span className="error-cell" title={info.getValue()}>{info.getValue()}</span> : null),
  }),
  column.display({ id: "actions", header: "Actions", enableSorting: false, cell: ({ row }) => <RowActions job={row.original} /> }),
];
