import { useConsole, useConsoleStore } from "../state/console-context";
import { hasActiveFilters } from "../state/filters-store";

/** What the table area says instead of rows: loading, an error with nothing to show, or nothing found. */
export function TableMessage() {
  const { filters, sync } = useConsole();
  const phase = useConsoleStore((m) => m.jobs, (s) => s.phase);
  const count = useConsoleStore((m) => m.jobs, (s) => s.jobs.length);
  const error = useConsoleStore((m) => m.jobs, (s) => s.error);
  const filtered = useConsoleStore((m) => m.filters, hasActiveFilters);

  // A new query keeps the previous rows on screen (dimmed) until its answer comes.
  if ((phase === "idle" || phase === "loading") && count === 0) {
    return (
      <div className="table-message" role="status">
        Loading exports…
      </div>
    );
  }
  if (phase === "error" && error) {
    return (
      <div className="table-message is-error" role="alert">
        <p>
          Could not load the exports: {error.message} <span className="muted">({error.code})</span>
        </p>
        <button type="button" onClick={() => void sync.refreshList()}>
          Try again
        </button>
      </div>
    );
  }
  if (phase === "ready" && count === 0) {
    return (
      <div className="table-message" role="status">
        {filtered ? (
          <>
            <p>No exports match these filters.</p>
            <button type="button" onClick={() => filters.getState().clearFilters()}>
              Clear filters
            </button>
          </>
        ) : (
          <p>No exports yet. Start one with “New export”.</p>
        )}
      </div>
    );
  }
  return null;
}
