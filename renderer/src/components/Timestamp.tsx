import { formatTimestamp } from "./job-format";

/** A timestamp in the viewer's zone, with the exact ISO value as its machine-readable date and title. */
export function Timestamp({ iso }: { iso: string | undefined }) {
  if (!iso) return null;
  const [day, time] = formatTimestamp(iso).split(" ");
  return (
    <time dateTime={iso} title={iso}>
      <span className="time-day">{day}</span> <span className="time-clock">{time}</span>
    </time>
  );
}
