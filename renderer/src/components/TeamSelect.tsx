import { useConsole, useConsoleStore } from "../state/console-context";

/**
 * The team choice the exports and activity views share (the filters' team). `allTeams` offers
 * "All teams" where the transport allows it (the desktop); without it, the view shows `teamId`
 * (its own fallback when the filter is empty).
 */
export function TeamSelect({ teamId, allTeams }: { teamId: string | undefined; allTeams: boolean }) {
  const { filters, transport } = useConsole();
  const teams = useConsoleStore((m) => m.filters, (s) => s.teams);
  const choices = teamId && !teams.includes(teamId) ? [...teams, teamId] : teams;
  const offerAll = allTeams && !transport.teamRequired;
  return (
    <label>
      Team
      <select value={teamId ?? ""} disabled={!offerAll && choices.length === 0} onChange={(event) => filters.getState().setTeam(event.target.value || undefined)}>
        {offerAll && <option value="">All teams</option>}
        {!offerAll && choices.length === 0 && <option value="">{transport.teamRequired ? "…" : "No teams"}</option>}
        {choices.map((team) => (
          <option key={team} value={team}>
            {team}
          </option>
        ))}
      </select>
    </label>
  );
}
