import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from "react";
import type { SettingsUpdate, SettingsView } from "../../../shared/contract";
import { DEFAULT_TINYBIRD_HOST } from "../../../shared/settings";
import { toApiError } from "../api/api-error";
import { useConsole } from "../state/console-context";
import { checkSettingsForm, CONNECTION_FIELDS, EXPORT_MODE_OPTIONS, exportModeOf, initialFormValues, type SettingsErrors, type SettingsField, type SettingsFormValues } from "./settings-form-model";

/** Fields in the order they are shown: the first invalid one gets the focus. */
const FIELD_ORDER: readonly SettingsField[] = [
  "redisUrl",
  "databaseUrl",
  "tinybirdHost",
  "tinybirdToken",
  "mode",
  "ttlDays",
  "maxConcurrent",
  "minTime",
  "concurrency",
  "timeoutMinutes",
  "attempts",
  "backoffMs",
];

type TextField = Exclude<SettingsField, "mode" | "neutraliseFormulas" | "bom">;
type ControlProps = { id: string; "aria-invalid"?: true; "aria-describedby"?: string; "aria-required"?: true };

/**
 * The desktop app's connection, limiter, runner, TTL and CSV settings. Saved secrets never
 * come back: their fields start blank and a blank field keeps the saved value (on the demo,
 * with nothing saved yet, every connection is required). Only what changed is sent; saving
 * restarts the core with the new settings, which can take a few seconds.
 */
export function SettingsForm({ view, onClose, onBusyChange }: { view: SettingsView; onClose: () => void; onBusyChange: (busy: boolean) => void }) {
  const { transport, ui, sync } = useConsole();
  const [values, setValues] = useState<SettingsFormValues>(() => initialFormValues(view));
  const [errors, setErrors] = useState<SettingsErrors>({});
  const [submitError, setSubmitError] = useState<string | null>(null);
  const [busy, setBusyState] = useState(false);
  const errorRef = useRef<HTMLParagraphElement>(null);
  const id = useId();
  const inputId = (field: SettingsField) => `${id}-${field}`;
  const first = !view.configured;

  // A failed save re-enables the form after its controls lost the focus: show where the problem is.
  useEffect(() => {
    if (submitError) errorRef.current?.focus();
  }, [submitError]);

  const setBusy = (value: boolean) => {
    setBusyState(value);
    onBusyChange(value);
  };
  const set = <K extends SettingsField>(field: K, value: SettingsFormValues[K]) => setValues((current) => ({ ...current, [field]: value }));

  /** The core now runs on other stores: reload teams, jobs and the connection status. */
  const refreshConsole = () => {
    void sync.refreshTeams().then(() => sync.refreshList());
    void sync.refreshStatus();
  };

  const apply = async (update: SettingsUpdate, done: string) => {
    setSubmitError(null);
    setBusy(true);
    try {
      await transport.api.setSettings(update);
    } catch (error) {
      setBusy(false);
      setSubmitError(toApiError(error).message);
      return;
    }
    ui.getState().notify(done);
    refreshConsole();
    onClose();
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitError(null);
    const checked = checkSettingsForm(view, values);
    if (!checked.ok) {
      setErrors(checked.errors);
      if (checked.formError) setSubmitError(checked.formError);
      const firstInvalid = FIELD_ORDER.find((field) => checked.errors[field]);
      if (firstInvalid) document.getElementById(inputId(firstInvalid))?.focus();
      return;
    }
    setErrors({});
    if (!checked.changed) {
      ui.getState().notify("Nothing changed: the settings stay as they are.");
      onClose();
      return;
    }
    await apply(checked.update, first ? "Settings saved: the console now runs on your connections." : "Settings saved: the console restarted with them.");
  };

  const backToDemo = () =>
    ui.getState().askToConfirm({
      title: "Use the demo?",
      message: "Your saved settings are set aside and the console restarts on the embedded demo data. To leave the demo again you enter the connections anew.",
      confirmLabel: "Use the demo",
      busyLabel: "Switching…",
      onConfirm: () => apply({ useDemo: true }, "Back on the embedded demo."),
    });

  const field = (name: SettingsField, label: string, control: (props: ControlProps) => ReactNode, hint?: string) => {
    const controlId = inputId(name);
    const note = errors[name] ?? hint;
    return (
      <div className="settings-field">
        <label htmlFor={controlId}>{label}</label>
        {control({
          id: controlId,
          "aria-invalid": errors[name] ? true : undefined,
          "aria-describedby": note ? `${controlId}-note` : undefined,
          "aria-required": first && (CONNECTION_FIELDS as readonly SettingsField[]).includes(name) ? true : undefined,
        })}
        {note && (
          <span id={`${controlId}-note`} className={errors[name] ? "field-error" : "field-hint"}>
            {note}
          </span>
        )}
      </div>
    );
  };

  const text = (name: TextField, label: string, options: { type?: "text" | "password" | "url"; placeholder?: string; hint?: string; autoFocus?: boolean } = {}) =>
    field(
      name,
      label,
      (props) => (
        <input
          {...props}
          type={options.type ?? "text"}
          value={values[name]}
          placeholder={options.placeholder}
          autoComplete="off"
          spellCheck={false}
          autoFocus={options.autoFocus}
          onChange={(event) => set(name, event.target.value)}
        />
      ),
      options.hint,
    );

  const number = (name: TextField, label: string, options: { step?: string; hint?: string } = {}) =>
    field(
      name,
      label,
      (props) => <input {...props} type="number" inputMode={options.step === "any" ? "decimal" : "numeric"} step={options.step ?? "1"} value={values[name]} onChange={(event) => set(name, event.target.value)} />,
      options.hint,
    );

  /** The hint of a secret: the saved value (masked) is kept when the field is left blank. */
  const secretHint = (saved: boolean) => (first ? "Required to leave the demo." : saved ? "Saved — leave blank to keep it." : undefined);

  return (
    <form className="settings-form" onSubmit={(event) => void save(event)} noValidate aria-busy={busy}>
      <div className="settings-scroll">
        <dl className="settings-summary">
          <div className="settings-summary-row">
            <dt>Running on</dt>
            <dd>{first ? <span className="settings-flag settings-flag-demo">the embedded demo (nothing saved yet)</span> : "your saved settings"}</dd>
          </div>
          <div className="settings-summary-row">
            <dt>Secrets</dt>
            <dd>
              {view.secretsEncrypted ? (
                "encrypted at rest by the system keychain"
              ) : (
                <span className="settings-flag settings-flag-warning">not encrypted: this system offers no keychain, so secrets cannot be saved</span>
              )}
            </dd>
          </div>
        </dl>
        {first && <p className="settings-note">Enter your Redis, Postgres and Tinybird connections to export real data. The URLs and the token are never shown again once saved.</p>}

        <fieldset disabled={busy}>
          <legend>Connections</legend>
          {text("redisUrl", "Redis URL", { placeholder: !first && view.redisUrl ? view.redisUrl : "redis://host:6379", hint: secretHint(Boolean(view.redisUrl)), autoFocus: true })}
          {text("databaseUrl", "Postgres URL", { placeholder: !first && view.databaseUrl ? view.databaseUrl : "postgres://user:password@host:5432/papermark", hint: secretHint(Boolean(view.databaseUrl)) })}
          {text("tinybirdHost", "Tinybird host", { type: "url", placeholder: DEFAULT_TINYBIRD_HOST, hint: first ? "Required to leave the demo." : undefined })}
          {text("tinybirdToken", "Tinybird token", { type: "password", placeholder: !first && view.tinybirdTokenSet ? "saved" : undefined, hint: secretHint(view.tinybirdTokenSet) })}
        </fieldset>

        <fieldset disabled={busy}>
          <legend>Exports</legend>
          {field("mode", "Export mode", (props) => (
            <select {...props} value={values.mode} onChange={(event) => set("mode", exportModeOf(event.target.value))}>
              {EXPORT_MODE_OPTIONS.map((option) => (
                <option key={option.value} value={option.value}>
                  {option.label}
                </option>
              ))}
            </select>
          ))}
          {number("ttlDays", "Keep jobs for (days)", { step: "any", hint: "Refreshed on every change of a job." })}
        </fieldset>

        <fieldset disabled={busy} className="settings-grid">
          <legend>Tinybird limit (shared by all runners)</legend>
          {number("maxConcurrent", "Requests in flight (max)")}
          {number("minTime", "Minimum ms between requests")}
        </fieldset>

        <fieldset disabled={busy} className="settings-grid">
          <legend>Runner</legend>
          {number("concurrency", "Exports at once")}
          {number("timeoutMinutes", "Time limit per export (minutes)", { step: "any" })}
          {number("attempts", "Attempts")}
          {number("backoffMs", "First retry after (ms)", { hint: "Doubles on each further attempt." })}
        </fieldset>

        <fieldset disabled={busy}>
          <legend>CSV</legend>
          <label className="checkbox">
            <input type="checkbox" checked={values.neutraliseFormulas} onChange={(event) => set("neutraliseFormulas", event.target.checked)} />
            Neutralise spreadsheet formulas in cells
          </label>
          <label className="checkbox">
            <input type="checkbox" checked={values.bom} onChange={(event) => set("bom", event.target.checked)} />
            Start files with a UTF-8 BOM (for Excel)
          </label>
        </fieldset>
      </div>

      <p className="settings-progress" role="status">
        {busy ? "Saving… the console restarts with the new settings, which can take a few seconds." : ""}
      </p>
      {submitError && (
        <p ref={errorRef} className="form-error" role="alert" tabIndex={-1}>
          {submitError}
        </p>
      )}
      <div className="dialog-buttons">
        {!first && (
          <button type="button" className="settings-demo-button" onClick={backToDemo} disabled={busy}>
            Use the demo
          </button>
        )}
        <button type="button" onClick={onClose} disabled={busy}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Saving…" : "Save"}
        </button>
      </div>
    </form>
  );
}
