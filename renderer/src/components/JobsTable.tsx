import { flexRender, getCoreRowModel, getSortedRowModel, useReactTable, type Updater } from "@tanstack/react-table";
import { useState, type KeyboardEvent, type MouseEvent } from "react";
import { useConsole, useConsoleStore } from "../state/console-context";
import type { ColumnSort } from "../state/filters-store";
import type { SelectedIds } from "../state/selection-store";
import { JOB_COLUMNS } from "./job-columns";
import { useNow } from "./useNow";

const apply = <T,>(updater: Updater<T>, current: T): T => (typeof updater === "function" ? (updater as (old: T) => T)(current) : updater);

const ARIA_SORT = { asc: "ascending", desc: "descending" } as const;

/**
 * The current page of jobs. The rows are one tab stop (roving tabindex): arrows move
 * between rows, Enter opens the detail panel, Space selects, and Delete asks to delete the
 * selection (or, with nothing selected, the focused row).
 */
export function JobsTable() {
  const { actions, selection, filters } = useConsole();
  const jobs = useConsoleStore((m) => m.jobs, (s) => s.jobs);
  const sorting = useConsoleStore((m) => m.filters, (s) => s.sorting);
  const selected = useConsoleStore((m) => m.selection, (s) => s.selected);
  const detailId = useConsoleStore((m) => m.detail, (s) => s.jobId);
  const queuePositions = useConsoleStore((m) => m.jobs, (s) => s.queuePositions);
  const columnVisibility = useConsoleStore((m) => m.columns, (s) => s.visibility);
  const now = useNow(jobs.some((job) => job.status === "PROCESSING"));
  const [activeRowId, setActiveRowId] = useState<string | null>(null);

  // TanStack Table returns functions React Compiler cannot memoise; this component is not compiled.
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({
    data: jobs,
    columns: JOB_COLUMNS,
    getRowId: (job) => job.id,
    state: { sorting, rowSelection: selected, columnVisibility },
    meta: { now, queuePositions },
    onSortingChange: (updater: Updater<ColumnSort[]>) => filters.getState().setSorting(apply(updater, filters.getState().sorting)),
    onRowSelectionChange: (updater: Updater<SelectedIds>) => selection.getState().setSelected(apply(updater, selection.getState().selected)),
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    manualPagination: true,
    enableRowSelection: true,
  });

  const onRowKeyDown = (event: KeyboardEvent<HTMLTableRowElement>, id: string) => {
    if (event.key === "Delete") {
      event.preventDefault();
      const ids = selection.getState().selectedIds();
      actions.confirmDelete(ids.length > 0 ? ids : [id]);
      return;
    }
    if (event.target !== event.currentTarget) return; // other keys inside buttons and checkboxes are theirs
    const row = event.currentTarget;
    switch (event.key) {
      case "Enter":
        event.preventDefault();
        actions.openDetail(id);
        break;
      case " ":
        event.preventDefault();
        selection.getState().toggle(id);
        break;
      case "ArrowDown":
      case "ArrowUp": {
        event.preventDefault();
        const next = event.key === "ArrowDown" ? row.nextElementSibling : row.previousElementSibling;
        if (next instanceof HTMLElement) next.focus();
        break;
      }
    }
  };

  const onRowClick = (event: MouseEvent<HTMLTableRowElement>, id: string) => {
    if (event.target instanceof Element && event.target.closest("button, input, a, label")) return;
    actions.openDetail(id);
  };

  const rows = table.getRowModel().rows;
  // The row that Tab lands on: the last one focused while it is still shown, else the first.
  const tabStopId = activeRowId && rows.some((row) => row.id === activeRowId) ? activeRowId : rows[0]?.id;

  return (
    <div className="table-scroll">
      <table className="jobs-table" aria-label="Export jobs">
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => {
                const sorted = header.column.getIsSorted();
                return (
                  <th key={header.id} scope="col" className={`col-${header.column.id}`} aria-sort={sorted ? ARIA_SORT[sorted] : header.column.getCanSort() ? "none" : undefined}>
                    {header.column.getCanSort() ? (
                      <button type="button" className="sort-button" onClick={header.column.getToggleSortingHandler()} title="Sort this page by this column">
                        {flexRender(header.column.columnDef.header, header.getContext())}
                        <span className="sort-indicator" aria-hidden="true">
                          {sorted === "asc" ? "▲" : sorted === "desc" ? "▼" : ""}
                        </span>
                      </button>
                    ) : (
                      flexRender(header.column.columnDef.header, header.getContext())
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr
              key={row.id}
              tabIndex={row.id === tabStopId ? 0 : -1}
              data-job-id={row.id}
              data-status={row.original.status}
              className={[row.getIsSelected() ? "is-selected" : "", row.id === detailId ? "is-open" : ""].join(" ").trim() || undefined}
              onFocus={(event) => {
                if (event.target === event.currentTarget) setActiveRowId(row.id);
              }}
              onKeyDown={(event) => onRowKeyDown(event, row.id)}
              onClick={(event) => onRowClick(event, row.id)}
            >
              {row.getVisibleCells().map((cell) => (
                <td key={cell.id} className={`col-${cell.column.id}`}>
                  {flexRender(cell.column.columnDef.cell, cell.getContext())}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
