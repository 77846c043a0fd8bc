import { useConsole, useConsoleStore } from "../state/console-context";

/**
 * Records the listing could not read: why each one failed, and a way to delete it (they
 * cannot be opened, cancelled or retried, so deleting is all there is to do).
 */
export function MalformedRecords() {
  const { actions } = useConsole();
  const malformed = useConsoleStore((m) => m.jobs, (s) => s.malformed);
  if (malformed.length === 0) return null;
  return (
    <details className="malformed-records">
      <summary className="muted">
        {malformed.length} unreadable record{malformed.length === 1 ? "" : "s"} skipped
      </summary>
      <ul aria-label="Unreadable records">
        {malformed.map((record) => (
          <li key={record.id}>
            <code>{record.id}</code> <span className="muted">{record.reason}</span>{" "}
            <button type="button" className="danger" aria-label={`Delete unreadable record ${record.id}`} onClick={() => actions.confirmDelete([record.id])}>
              Delete
            </button>
          </li>
        ))}
      </ul>
    </details>
  );
}
