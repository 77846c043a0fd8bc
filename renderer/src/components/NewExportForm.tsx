import { useCallback, useEffect, useId, useState, type FormEvent } from "react";
import { estimateTinybirdCalls } from "../../../shared/call-estimate";
import { isValidId } from "../../../shared/ids";
import { DEFAULT_EXPORT_MODE, type ExportMode } from "../../../shared/settings";
import { createExportInputSchema, csvProfileSchema, JOB_TYPES, jobTypeSchema, type CsvProfile, type ExportJobSummary, type JobType } from "../../../shared/job";
import { toApiError, type ApiError } from "../api/api-error";
import { useConsole, useConsoleStore } from "../state/console-context";
import { TYPE_LABELS } from "./job-format";
import { SearchCombobox, type SearchOption } from "./SearchCombobox";

type Field = "type" | "teamId" | "resourceId" | "groupId" | "since" | "until" | "profile";
type FieldErrors = Partial<Record<Field, string>>;

const FIELDS: readonly string[] = ["type", "teamId", "resourceId", "groupId", "since", "until", "profile"];

const PROFILE_LABELS: Record<CsvProfile, string> = {
  papermark: "Papermark (exact, NaN for missing values)",
  spreadsheet: "Spreadsheet (empty cells, Yes/No, opens in Excel)",
};
const isField = (value: unknown): value is Field => typeof value === "string" && FIELDS.includes(value);

const MATCHES_SHOWN = 8;

/** A refusal at create that names the resource or the group goes beside that field. */
function refusedField(error: ApiError): Field | null {
  if (error.code !== "NOT_FOUND") return null;
  if (/^group /.test(error.message)) return "groupId";
  if (/^(document|dataroom) /.test(error.message)) return "resourceId";
  return null;
}

/** "≈ 3 Tinybird calls (auto: sql; 2,010 if it falls back to batch)" for a resource of `views` views. */
function callEstimateText(views: number, mode: ExportMode): string {
  const estimate = estimateTinybirdCalls(views, mode);
  const calls = (count: number) => count.toLocaleString("en-US");
  if (estimate.fallbackCalls === undefined) return `≈ ${calls(estimate.calls)} Tinybird calls (${estimate.mode})`;
  return `≈ ${calls(estimate.calls)} Tinybird calls (auto: ${estimate.mode} if the token may run SQL; ${calls(estimate.fallbackCalls)} if it falls back to batch)`;
}

/**
 * Type, team, resource and (for a group) group, each searchable by name or id (typing or
 * pasting an id works too), an optional date range and the CSV profile, checked with the
 * contract's schema before sending. A resource the server does not find is shown inline.
 */
export function NewExportForm({ onCreated, onCancel }: { onCreated: (job: ExportJobSummary) => void; onCancel: () => void }) {
  const { actions, transport, api } = useConsole();
  const teams = useConsoleStore((m) => m.filters, (s) => s.teams);
  const currentTeam = useConsoleStore((m) => m.filters, (s) => s.teamId);
  const [type, setType] = useState<JobType>("document");
  const [teamId, setTeamId] = useState(currentTeam ?? teams[0] ?? "");
  const [resourceId, setResourceId] = useState("");
  const [groupId, setGroupId] = useState("");
  const [since, setSince] = useState("");
  const [until, setUntil] = useState("");
  const [profile, setProfile] = useState<CsvProfile>("papermark");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [submitError, setSubmitError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const id = useId();
  const ids = { team: `${id}-team`, resource: `${id}-resource`, group: `${id}-group`, since: `${id}-since`, until: `${id}-until`, profile: `${id}-profile` };
  const inputIds: Partial<Record<Field, string>> = { teamId: ids.team, resourceId: ids.resource, groupId: ids.group, since: ids.since, until: ids.until };

  // The configured mode, for the call estimate (none shown if the settings cannot be read).
  const [mode, setMode] = useState<ExportMode | null>(null);
  useEffect(() => {
    let current = true;
    api.getSettings({}).then(
      (view) => current && setMode(view.values.mode ?? DEFAULT_EXPORT_MODE),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [api]);
  // View counts of the resources the search found, by kind and id.
  const [knownViews, setKnownViews] = useState<Record<string, number>>({});

  // Team names for the select (browser mode: the token's teams).
  const [teamNames, setTeamNames] = useState<Record<string, string>>({});
  useEffect(() => {
    if (!transport.teamRequired) return;
    let current = true;
    api.findTeams({ limit: 100 }).then(
      (page) => current && setTeamNames(Object.fromEntries(page.teams.map((team) => [team.id, team.name]))),
      () => undefined, // the ids alone still work
    );
    return () => {
      current = false;
    };
  }, [api, transport.teamRequired]);

  const searchTeams = useCallback(
    async (q: string): Promise<SearchOption[]> => (await api.findTeams({ q, limit: MATCHES_SHOWN })).teams.map((team) => ({ id: team.id, name: team.name })),
    [api],
  );
  const team = teamId.trim();
  const resource = resourceId.trim();
  const kind = type === "document" ? "document" : "dataroom";
  const searchResources = useCallback(
    async (q: string): Promise<SearchOption[]> => {
      const { resources } = await api.findResources({ teamId: team, type: kind, q, limit: MATCHES_SHOWN });
      setKnownViews((known) => ({ ...known, ...Object.fromEntries(resources.map((found) => [`${kind}:${found.id}`, found.views])) }));
      return resources.map((found) => ({ id: found.id, name: found.name, detail: kind === "document" ? `${found.views} views` : `${found.views} visits` }));
    },
    [api, team, kind],
  );
  const searchGroups = useCallback(
    async (q: string): Promise<SearchOption[]> =>
      (await api.findResources({ teamId: team, type: "group", dataroomId: resource, q, limit: MATCHES_SHOWN })).resources.map((found) => ({
        id: found.id,
        name: found.name,
        detail: `${found.views} visits`,
      })),
    [api, team, resource],
  );

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitError(null);
    const parsed = createExportInputSchema.safeParse({
      type,
      teamId: teamId.trim(),
      resourceId: resourceId.trim(),
      ...(type === "dataroom-group" ? { groupId: groupId.trim() } : {}),
      ...(since ? { since } : {}),
      ...(until ? { until } : {}),
      ...(profile !== "papermark" ? { profile } : {}),
    });
    if (!parsed.success) {
      const found: FieldErrors = {};
      for (const issue of parsed.error.issues) {
        const field = issue.path[0];
        if (isField(field)) found[field] ??= issue.message;
      }
      setErrors(found);
      const firstInvalid = (["teamId", "resourceId", "groupId", "since", "until"] as const).find((field) => found[field]);
      if (firstInvalid) document.getElementById(inputIds[firstInvalid]!)?.focus();
      return;
    }
    setErrors({});
    setSubmitting(true);
    try {
      onCreated(await actions.create(parsed.data));
    } catch (error) {
      const refused = toApiError(error);
      const field = refusedField(refused);
      if (field) {
        setErrors({ [field]: refused.message });
        document.getElementById(inputIds[field]!)?.focus();
      } else {
        setSubmitError(refused.message);
      }
    } finally {
      setSubmitting(false);
    }
  };

  const fieldProps = (field: Field, inputId: string) => ({
    id: inputId,
    "aria-invalid": errors[field] ? true : undefined,
    "aria-describedby": errors[field] ? `${inputId}-error` : undefined,
  });
  const fieldError = (field: Field, inputId: string) =>
    errors[field] ? (
      <span id={`${inputId}-error`} className="field-error">
        {errors[field]}
      </span>
    ) : null;

  return (
    <form className="new-export-form" onSubmit={(event) => void submit(event)} noValidate>
      <fieldset>
        <legend>Export of</legend>
        {JOB_TYPES.map((value) => (
          <label key={value} className="radio">
            <input type="radio" name="type" value={value} checked={type === value} onChange={(event) => setType(jobTypeSchema.parse(event.target.value))} />
            {TYPE_LABELS[value]}
          </label>
        ))}
      </fieldset>
      <label htmlFor={ids.team}>Team</label>
      {transport.teamRequired ? (
        <select {...fieldProps("teamId", ids.team)} value={teamId} onChange={(event) => setTeamId(event.target.value)}>
          {teams.map((each) => (
            <option key={each} value={each}>
              {teamNames[each] ? `${teamNames[each]} (${each})` : each}
            </option>
          ))}
        </select>
      ) : (
        <SearchCombobox value={teamId} onChange={setTeamId} search={searchTeams} listLabel="Matching teams" inputProps={fieldProps("teamId", ids.team)} />
      )}
      {fieldError("teamId", ids.team)}
      <label htmlFor={ids.resource}>{type === "document" ? "Document id" : "Dataroom id"}</label>
      <SearchCombobox
        value={resourceId}
        onChange={setResourceId}
        search={isValidId(team) ? searchResources : null}
        listLabel={type === "document" ? "Matching documents" : "Matching datarooms"}
        inputProps={{ ...fieldProps("resourceId", ids.resource), "data-autofocus": true, placeholder: "Search by name, or paste an id" }}
      />
      {fieldError("resourceId", ids.resource)}
      {mode && isValidId(resource) && (
        <p className="field-hint">
          {knownViews[`${kind}:${resource}`] === undefined
            ? "The Tinybird call estimate appears after picking the resource from the search."
            : callEstimateText(knownViews[`${kind}:${resource}`]!, mode)}
        </p>
      )}
      {type === "dataroom-group" && (
        <>
          <label htmlFor={ids.group}>Group id</label>
          <SearchCombobox
            value={groupId}
            onChange={setGroupId}
            search={isValidId(team) && isValidId(resource) ? searchGroups : null}
            listLabel="Matching groups"
            inputProps={{ ...fieldProps("groupId", ids.group), placeholder: "Search by name, or paste an id" }}
          />
          {fieldError("groupId", ids.group)}
        </>
      )}
      <fieldset className="date-range">
        <legend>Views from (UTC days, both included; empty = all)</legend>
        <label htmlFor={ids.since}>From</label>
        <input {...fieldProps("since", ids.since)} type="date" value={since} max={until || undefined} onChange={(event) => setSince(event.target.value)} />
        <label htmlFor={ids.until}>To</label>
        <input {...fieldProps("until", ids.until)} type="date" value={until} min={since || undefined} onChange={(event) => setUntil(event.target.value)} />
      </fieldset>
      {fieldError("since", ids.since)}
      {fieldError("until", ids.until)}
      <label htmlFor={ids.profile}>CSV format</label>
      <select id={ids.profile} value={profile} onChange={(event) => setProfile(csvProfileSchema.parse(event.target.value))}>
        {csvProfileSchema.options.map((value) => (
          <option key={value} value={value}>
            {PROFILE_LABELS[value]}
          </option>
        ))}
      </select>
      {submitError && (
        <p className="form-error" role="alert">
          {submitError}
        </p>
      )}
      <div className="dialog-buttons">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={submitting}>
          {submitting ? "Creating…" : "Create export"}
        </button>
      </div>
    </form>
  );
}
