import { useConsole, useConsoleStore } from "../state/console-context";
import { MalformedRecords } from "./MalformedRecords";

/** Server-side paging: the range shown, the total, and previous/next/first/last. */
export function Pager() {
  const { filters } = useConsole();
  const offset = useConsoleStore((m) => m.filters, (s) => s.offset);
  const limit = useConsoleStore((m) => m.filters, (s) => s.limit);
  const total = useConsoleStore((m) => m.jobs, (s) => s.total);
  const shown = useConsoleStore((m) => m.jobs, (s) => s.jobs.length);
  const scanLimited = useConsoleStore((m) => m.jobs, (s) => s.scanLimited);
  const staleError = useConsoleStore((m) => m.jobs, (s) => (s.phase === "ready" ? s.error : null));
  const bannerShown = useConsoleStore((m) => m.connection, (s) => s.banner !== null);
  const go = (to: number) => filters.getState().goToOffset(to);
  const lastOffset = total > 0 ? Math.floor((total - 1) / limit) * limit : 0;
  const format = (value: number) => value.toLocaleString("en-US");

  return (
    <nav className="pager" aria-label="Pages">
      <span className="pager-range" aria-live="polite">
        {shown > 0 ? `${format(offset + 1)}–${format(offset + shown)} of ${format(total)}` : `0 of ${format(total)}`}
      </span>
      {scanLimited && <span className="muted">only the newest jobs were searched: narrow the filters to reach older ones</span>}
      <MalformedRecords />
      {staleError && !bannerShown && (
        <span className="stale-error" role="status">
          Last refresh failed: {staleError.message}
        </span>
      )}
      <span className="pager-buttons">
        <button type="button" onClick={() => go(0)} disabled={offset === 0} aria-label="First page">
          «
        </button>
        <button type="button" onClick={() => go(offset - limit)} disabled={offset === 0} aria-label="Previous page">
          ‹ Previous
        </button>
        <button type="button" onClick={() => go(offset + limit)} disabled={offset + limit >= total} aria-label="Next page">
          Next ›
        </button>
        <button type="button" onClick={() => go(lastOffset)} disabled={offset >= lastOffset} aria-label="Last page">
          »
        </button>
      </span>
    </nav>
  );
}
