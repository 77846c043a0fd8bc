import { useId, useState, type FormEvent } from "react";
import { createExportInputSchema, JOB_TYPES, jobTypeSchema, type ExportJobSummary, type JobType } from "../../../shared/job";
import { toApiError } from "../api/api-error";
import { useConsole, useConsoleStore } from "../state/console-context";
import { TYPE_LABELS } from "./job-format";

type Field = "type" | "teamId" | "resourceId" | "groupId";
type FieldErrors = Partial<Record<Field, string>>;

const FIELDS: readonly string[] = ["type", "teamId", "resourceId", "groupId"];
const isField = (value: unknown): value is Field => typeof value === "string" && FIELDS.includes(value);

/** Type, team, resource id and (for a group) group id, checked with the contract's schema before sending. */
export function NewExportForm({ onCreated, onCancel }: { onCreated: (job: ExportJobSummary) => void; onCancel: () => void }) {
  const { actions, transport } = useConsole();
  const teams = useConsoleStore((m) => m.filters, (s) => s.teams);
  const currentTeam = useConsoleStore((m) => m.filters, (s) => s.teamId);
  const [type, setType] = useState<JobType>("document");
  const [teamId, setTeamId] = useState(currentTeam ?? teams[0] ?? "");
  const [resourceId, setResourceId] = useState("");
  const [groupId, setGroupId] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [submitError, setSubmitError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const id = useId();
  const ids = { team: `${id}-team`, resource: `${id}-resource`, group: `${id}-group`, teams: `${id}-teams` };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitError(null);
    const parsed = createExportInputSchema.safeParse({
      type,
      teamId: teamId.trim(),
      resourceId: resourceId.trim(),
      ...(type === "dataroom-group" ? { groupId: groupId.trim() } : {}),
    });
    if (!parsed.success) {
      const found: FieldErrors = {};
      for (const issue of parsed.error.issues) {
        const field = issue.path[0];
        if (isField(field)) found[field] ??= issue.message;
      }
      setErrors(found);
      const firstInvalid = (["teamId", "resourceId", "groupId"] as const).find((field) => found[field]);
      if (firstInvalid) document.getElementById(firstInvalid === "teamId" ? ids.team : firstInvalid === "resourceId" ? ids.resource : ids.group)?.focus();
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
