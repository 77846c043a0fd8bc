import { useEffect, useState } from "react";

/**
 * The current time, renewed every `intervalMs` while `ticking` (durations and time left of
 * running jobs move on between the server's updates).
 */
export function useNow(ticking: boolean, intervalMs = 5000): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    if (!ticking) return;
    const timer = setInterval(() => setNow(new Date()), intervalMs);
    return () => clearInterval(timer);
  }, [ticking, intervalMs]);
  return now;
}
