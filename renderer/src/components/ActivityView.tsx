import { useEffect } from "react";
import type { AuditEntry } from "../../../shared/audit";
import { useConsole, useConsoleStore } from "../state/console-context";
import { ExportIdCell } from "./ExportIdCell";
import { AUDIT_ACTION_LABELS } from "./job-format";
import { TeamSelect } from "./TeamSelect";
import { Timestamp } from "./Timestamp";

const count = (value: number) => value.toLocaleString("en-US");

/**
 * The team's activity: its audit trail, newest first: who created, cancelled, retried or
 * deleted which export, and when. Shares the team with the exports view (the first team
 * when that one shows all teams); kept fresh by job changes and a poll.
 */
export function ActivityView() {
  const { activity } = useConsole();
  const teams = useConsoleStore((m) => m.filters, (s) => s.teams);
  const filterTeam = useConsoleStore((m) => m.filters, (s) => s.teamId);
  const teamId = filterTeam ?? teams[0] ?? null;
  const phase = useConsoleStore((m) => m.activity, (s) => s.phase);
  const busy = useConsoleStore((m) => m.activity, (s) => s.busy);

  useEffect(() => activity.getState().watch(), [activity]);
  useEffect(() => {
    void activity.getState().show(teamId);
  }, [activity, teamId]);

  return (
    <main className="activity-area" aria-label="Team activity" aria-busy={phase === "loading" || busy}>
      <div className="toolbar" role="toolbar" aria-label="Activity">
        <TeamSelect teamId={teamId ?? undefined} allTeams={false} />
        <span className="muted activity-intro">Who created, cancelled, retried or deleted which export, newest first.</span>
        <span className="toolbar-actions">
          <button type="button" disabled={!teamId || busy} onClick={() => void activity.getState().refresh()}>
            Refresh
          </button>
        </span>
      </div>
      <ActivityBody />
    </main>
  );
}

function ActivityBody() {
  const { activity } = useConsole();
  const teamId = useConsoleStore((m) => m.activity, (s) => s.teamId);
  const phase = useConsoleStore((m) => m.activity, (s) => s.phase);
  const entries = useConsoleStore((m) => m.activity, (s) => s.entries);
  const total = useConsoleStore((m) => m.activity, (s) => s.total);
  const unreadable = useConsoleStore((m) => m.activity, (s) => s.unreadable);
  const error = useConsoleStore((m) => m.activity, (s) => s.error);
  const busy = useConsoleStore((m) => m.activity, (s) => s.busy);

  if (phase === "idle") {
    return (
      <div className="table-message" role="status">
        No team to show yet: a team’s activity shows here once it has exports.
      </div>
    );
  }
  if (phase === "loading") {
    return (
      <div className="table-message" role="status">
        Loading activity…
      </div>
    );
  }
  if (phase === "error" && error) {
    return (
      <div className="table-message is-error" role="alert">
        <p>
          Could not load the activity of team {teamId}: {error.message} <span className="muted">({error.code})</span>
        </p>
        <button type="button" onClick={() => void activity.getState().refresh()}>
          Try again
        </button>
      </div>
    );
  }
  return (
    <>
      <div className="table-scroll">
        {entries.length === 0 ? (
          <div className="table-message" role="status">
            <p>No recorded actions in team {teamId} yet.</p>
            <p>Creating, cancelling, retrying or deleting an export shows here, with who did it and when.</p>
          </div>
        ) : (
          <table className="jobs-table activity-table" aria-label={`Activity of team ${teamId}`}>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Export</th>
                <th scope="col">Resource</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry, index) => (
                <ActivityRow key={`${index}-${entry.at}-${entry.action}-${entry.jobId}`} entry={entry} />
              ))}
            </tbody>
          </table>
        )}
      </div>
      <nav className="pager" aria-label="Activity pages">
        <span className="pager-range" aria-live="polite">
          {total > 0 ? `${count(entries.length)} of ${count(total)} actions` : "0 actions"}
        </span>
        {unreadable > 0 && <span className="muted">{count(unreadable)} unreadable entries left out</span>}
        {error && (
          <span className="stale-error" role="status">
            Last refresh failed: {error.message}
          </span>
        )}
        <span className="pager-buttons">
          {entries.length < total && (
            <button type="button" disabled={busy} onClick={() => void activity.getState().loadMore()}>
              Load more
            </button>
          )}
        </span>
      </nav>
    </>
  );
}

function ActivityRow({ entry }: { entry: AuditEntry }) {
  return (
    <tr data-action={entry.action}>
      <td className="col-when">
        <Timestamp iso={entry.at} />
      </td>
      <td className="col-actor">
        <span className="user-cell" title={entry.actor}>
          {entry.actor}
        </span>
      </td>
      <td className="col-action">
        <span className={`audit-action audit-${entry.action}`}>{AUDIT_ACTION_LABELS[entry.action]}</span>
      </td>
      <td className="col-export">
        <ExportIdCell id={entry.jobId} />
      </td>
      <td className="col-resource">
        {entry.resourceName || entry.resourceId ? (
          <span className="resource-cell">
            <span className="resource-name" title={entry.resourceName ?? entry.resourceId}>
              {entry.resourceName ?? entry.resourceId}
            </span>
            {entry.resourceName && entry.resourceId && (
              <span className="resource-meta">
                <code title={entry.resourceId}>{entry.resourceId}</code>
              </span>
            )}
          </span>
        ) : (
          <span className="muted">not recorded</span>
        )}
      </td>
    </tr>
  );
}
