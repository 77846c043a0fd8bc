import type { SettingsView } from "../../../shared/contract";
import { EXPORT_MODE_LABELS, formatDuration } from "./settings-form-model";

/** The settings the view carries, in words (secrets are never part of it). */
function describe(view: SettingsView): [string, string][] {
  const v = view.values;
  const rows: [string, string | undefined][] = [
    ["Tinybird host", v.tinybirdHost],
    ["Export mode", v.mode && EXPORT_MODE_LABELS[v.mode].name],
    ["Tinybird request time limit", v.tinybirdTimeoutMs === undefined ? undefined : formatDuration(v.tinybirdTimeoutMs)],
    ["Tinybird requests in flight", v.limiter && String(v.limiter.maxConcurrent)],
    ["Minimum ms between requests", v.limiter && String(v.limiter.minTime)],
    ["Exports at once", v.runner && String(v.runner.concurrency)],
    ["Time limit per export", v.runner && formatDuration(v.runner.timeoutMs)],
    ["Attempts", v.runner && String(v.runner.attempts)],
    ["First retry after", v.runner && `${v.runner.backoffMs} ms`],
    ["A stopped runner's export is taken over after", v.runner && formatDuration(v.runner.lockDurationMs)],
    ["Keep jobs for", v.jobTtlSeconds === undefined ? undefined : formatDuration(v.jobTtlSeconds * 1000)],
    ["Neutralise formulas", v.csv && (v.csv.neutraliseFormulas ? "yes" : "no")],
    ["UTF-8 BOM", v.csv && (v.csv.bom ? "yes" : "no")],
  ];
  return rows.filter((row): row is [string, string] => row[1] !== undefined);
}

/** Browser mode: the settings are the server's environment; nothing here can change them. */
export function SettingsReadOnly({ view, onClose }: { view: SettingsView; onClose: () => void }) {
  const rows = describe(view);
  return (
    <div className="settings-readonly">
      <p className="settings-note">
        The server&apos;s current values, read-only (its secrets are never shown). They are configured on the server: the environment of its <code>serve</code> process (<code>REDIS_URL</code>, <code>DATABASE_URL</code>,{" "}
        <code>TINYBIRD_HOST</code>, <code>TINYBIRD_TOKEN</code>, <code>EXPORT_MODE</code>, the limiter, runner, TTL and CSV variables). Ask the server&apos;s administrator
        to change them; the desktop app has a settings form of its own.
      </p>
      {rows.length > 0 && (
        <dl className="settings-summary">
          {rows.map(([label, value]) => (
            <div key={label} className="settings-summary-row">
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      )}
      <div className="dialog-buttons">
        {/* Focus lands here when the view has loaded (the dialog opened on "Loading…"). */}
        <button type="button" className="primary" onClick={onClose} autoFocus>
          Close
        </button>
      </div>
    </div>
  );
}
