import { JOB_STATES, JOB_TYPES, jobStateSchema, jobTypeSchema } from "../../../shared/job";
import { useConsole, useConsoleStore } from "../state/console-context";
import { ColumnMenu } from "./ColumnMenu";
import { STATE_LABELS, TYPE_LABELS } from "./job-format";
import { SearchBox } from "./SearchBox";
import { TeamSelect } from "./TeamSelect";

/** Filters (team, status, type, text), the bulk delete of the selection and "New export". */
export function Toolbar() {
  const { filters, actions, ui, selection } = useConsole();
  const teamId = useConsoleStore((m) => m.filters, (s) => s.teamId);
  const status = useConsoleStore((m) => m.filters, (s) => s.status);
  const type = useConsoleStore((m) => m.filters, (s) => s.type);
  const selectedCount = useConsoleStore((m) => m.selection, (s) => Object.values(s.selected).filter(Boolean).length);

  return (
    <div className="toolbar" role="toolbar" aria-label="Filters and actions">
      <TeamSelect teamId={teamId} allTeams />
      <label>
        Status
        <select value={status ?? ""} onChange={(event) => filters.getState().setStatus(jobStateSchema.safeParse(event.target.value).data)}>
          <option value="">Any status</option>
          {JOB_STATES.map((value) => (
            <option key={value} value={value}>
              {STATE_LABELS[value]}
            </option>
          ))}
        </select>
      </label>
      <label>
        Type
        <select value={type ?? ""} onChange={(event) => filters.getState().setType(jobTypeSchema.safeParse(event.target.value).data)}>
          <option value="">Any type</option>
          {JOB_TYPES.map((value) => (
            <option key={value} value={value}>
              {TYPE_LABELS[value]}
            </option>
          ))}
        </select>
      </label>
      <SearchBox />
      {/* Together, at the right: when the toolbar wraps they move to the next line as one. */}
      <span className="toolbar-actions">
        <ColumnMenu />
        <button type="button" className="danger" disabled={selectedCount === 0} onClick={() => actions.confirmDelete(selection.getState().selectedIds())}>
          Delete selected{selectedCount > 0 ? ` (${selectedCount})` : ""}
        </button>
        <button type="button" className="primary" onClick={() => ui.getState().openNewExport()}>
          New export
        </button>
      </span>
    </div>
  );
}
