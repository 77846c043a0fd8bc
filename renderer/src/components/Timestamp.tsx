import { formatCompactTimestamp, formatTimestamp } from "./job-format";

/**
 * A timestamp in the viewer's zone, with the exact ISO value as its machine-readable date and
 * title. Compact (`Mar 2 09:58`) in the table, in full (`2026-03-02 09:58:12`) elsewhere.
 */
export function Timestamp({ iso, compact }: { iso: string | undefined; compact?: { now: Date } }) {
  if (!iso) return null;
  return (
    <time dateTime={iso} title={iso}>
      {compact ? formatCompactTimestamp(iso, compact.now) : formatTimestamp(iso)}
    </time>
  );
}
