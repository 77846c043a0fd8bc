import { useId, useState, type FormEvent } from "react";
import { createExportInputSchema, csvProfileSchema, JOB_TYPES, jobTypeSchema, type CsvProfile, type ExportJobSummary, type JobType } from "../../../shared/job";
import { toApiError } from "../api/api-error";
import { useConsole, useConsoleStore } from "../state/console-context";
import { TYPE_LABELS } from "./job-format";

type Field = "type" | "teamId" | "resourceId" | "groupId" | "since" | "until" | "profile";
type FieldErrors = Partial<Record<Field, string>>;

const FIELDS: readonly string[] = ["type", "teamId", "resourceId", "groupId", "since", "until", "profile"];

const PROFILE_LABELS: Record<CsvProfile, string> = {
  papermark: "Papermark (exact, NaN for missing values)",
  spreadsheet: "Spreadsheet (empty cells, Yes/No, opens in Excel)",
};
const isField = (value: unknown): value is Field => typeof value === "string" && FIELDS.includes(value);

/**
 * Type, team, resource id and (for a group) group id, an optional date range and the CSV
 * profile, checked with the contract's schema before sending.
 */
export function NewExportForm({ onCreated, onCancel }: { onCreated: (job: ExportJobSummary) => void; onCancel: () => void }) {
  const { actions, transport } = useConsole();
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
  const ids = { team: `${id}-team`, resource: `${id}-resource`, group: `${id}-group`, teams: `${id}-teams`, since: `${id}-since`, until: `${id}-until`, profile: `${id}-profile` };
  const inputIds: Partial<Record<Field, string>> = { teamId: ids.team, resourceId: ids.resource, groupId: ids.group, since: ids.since, until: ids.until };

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
      setSubmitError(toApiError(error).message);
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
          {teams.map((team) => (
            <option key={team} value={team}>
              {team}
            </option>
          ))}
        </select>
      ) : (
        <>
          <input {...fieldProps("teamId", ids.team)} list={ids.teams} value={teamId} autoComplete="off" onChange={(event) => setTeamId(event.target.value)} />
          <datalist id={ids.teams}>
            {teams.map((team) => (
              <option key={team} value={team} />
            ))}
          </datalist>
        </>
      )}
      {fieldError("teamId", ids.team)}
      <label htmlFor={ids.resource}>{type === "document" ? "Document id" : "Dataroom id"}</label>
      <input {...fieldProps("resourceId", ids.resource)} value={resourceId} autoComplete="off" data-autofocus onChange={(event) => setResourceId(event.target.value)} />
      {fieldError("resourceId", ids.resource)}
      {type === "dataroom-group" && (
        <>
          <label htmlFor={ids.group}>Group id</label>
          <input {...fieldProps("groupId", ids.group)} value={groupId} autoComplete="off" onChange={(event) => setGroupId(event.target.value)} />
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
