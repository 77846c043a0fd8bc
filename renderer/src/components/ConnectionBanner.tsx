import { useConsoleStore } from "../state/console-context";

/** Shown while Redis (or the console server) cannot be reached; the next good poll removes it. */
export function ConnectionBanner() {
  const banner = useConsoleStore((m) => m.connection, (s) => s.banner);
  if (!banner) return null;
  return (
    <div className="connection-banner" role="alert" data-kind={banner.kind}>
      <strong>{banner.kind === "redis" ? "Redis is unreachable." : "The console server cannot be reached."}</strong> Showing the last jobs loaded; checking again every 3 seconds.
      <span className="banner-detail">{banner.message}</span>
    </div>
  );
}
