import { useEffect, useId, useState, type FormEvent, type ReactNode } from "react";
import type { SettingsView } from "../../../shared/contract";
import { settingsSchema } from "../../../shared/settings";
import { toApiError } from "../api/api-error";
import { useConsole } from "../state/console-context";

interface FormValues {
  redisUrl: string;
  databaseUrl: string;
  tinybirdHost: string;
  tinybirdToken: string;
  mode: "per-view" | "batch";
  maxConcurrent: string;
  minTime: string;
  concurrency: string;
  timeoutMinutes: string;
  attempts: string;
  backoffMs: string;
  ttlDays: string;
  neutraliseFormulas: boolean;
  bom: boolean;
}

type Field = keyof FormValues;
/** Where each settings path is edited, so a schema issue lands next to its field. */
const FIELD_OF_PATH: Record<string, Field> = {
  redisUrl: "redisUrl",
  databaseUrl: "databaseUrl",
  tinybirdHost: "tinybirdHost",
  tinybirdToken: "tinybirdToken",
  "limiter.maxConcurrent": "maxConcurrent",
  "limiter.minTime": "minTime",
  "runner.concurrency": "concurrency",
  "runner.timeoutMs": "timeoutMinutes",
  "runner.attempts": "attempts",
  "runner.backoffMs": "backoffMs",
  jobTtlSeconds: "ttlDays",
};
const SECRETS = ["redisUrl", "databaseUrl", "tinybirdToken"] as const;

function initialValues(view: SettingsView): FormValues {
  const v = view.values;
  return {
    redisUrl: "",
    databaseUrl: "",
    tinybirdHost: view.configured ? (v.tinybirdHost ?? "") : "",
    tinybirdToken: "",
    mode: v.mode ?? "per-view",
    maxConcurrent: String(v.limiter?.maxConcurrent ?? 5),
    minTime: String(v.limiter?.minTime ?? 200),
    concurrency: String(v.runner?.concurrency ?? 2),
    timeoutMinutes: String((v.runner?.timeoutMs ?? 900_000) / 60_000),
    attempts: String(v.runner?.attempts ?? 3),
    backoffMs: String(v.runner?.backoffMs ?? 5000),
    ttlDays: String((v.jobTtlSeconds ?? 604_800) / 86_400),
    neutraliseFormulas: v.csv?.neutraliseFormulas ?? true,
    bom: v.csv?.bom ?? false,
  };
}

/** The change to send: every plain setting, and only the secrets that were typed in. */
function buildUpdate(view: SettingsView, values: FormValues): Record<string, unknown> {
  const update: Record<string, unknown> = {
    tinybirdHost: values.tinybirdHost.trim(),
    mode: values.mode,
    limiter: { maxConcurrent: Number(values.maxConcurrent), minTime: Number(values.minTime) },
    runner: {
      ...view.values.runner,
      concurrency: Number(values.concurrency),
      timeoutMs: Math.round(Number(values.timeoutMinutes) * 60_000),
      attempts: Number(values.attempts),
      backoffMs: Number(values.backoffMs),
    },
    jobTtlSeconds: Math.round(Number(values.ttlDays) * 86_400),
    csv: { neutraliseFormulas: values.neutraliseFormulas, bom: values.bom },
  };
  for (const secret of SECRETS) if (values[secret].trim() !== "") update[secret] = values[secret].trim();
  return update;
}

/**
 * The desktop app's connection and runner settings. Secrets are never shown: a blank field
 * keeps the saved value (the first time, on the demo, all connections are required).
 */
export function SettingsForm({ onDone }: { onDone: () => void }) {
  const { transport, ui } = useConsole();
  const [view, setView] = useState<SettingsView | null>(null);
  const [values, setValues] = useState<FormValues | null>(null);
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [submitError, setSubmitError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const id = useId();

  useEffect(() => {
    let live = true;
    transport.api.getSettings({}).then(
      (loaded) => {
        if (!live) return;
        setView(loaded);
        setValues(initialValues(loaded));
      },
      (error: unknown) => live && setSubmitError(toApiError(error).message),
    );
    return () => {
      live = false;
    };
  }, [transport]);

  if (!view || !values) {
    return submitError ? (
      <p className="form-error" role="alert">
        {submitError}
      </p>
    ) : (
      <p aria-busy="true">Loading settings…</p>
    );
  }

  const set = <K extends Field>(field: K, value: FormValues[K]) => setValues({ ...values, [field]: value });

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitError(null);
    const update = buildUpdate(view, values);
    const found: Partial<Record<Field, string>> = {};
    if (!view.configured) {
      for (const field of ["redisUrl", "databaseUrl", "tinybirdHost", "tinybirdToken"] as const) {
        if (values[field].trim() === "") found[field] = "required to leave the demo";
      }
    }
    const parsed = settingsSchema.partial().strict().safeParse(update);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = FIELD_OF_PATH[issue.path.map(String).join(".")];
        if (field) found[field] ??= issue.message;
      }
    }
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setSaving(true);
    try {
      await transport.api.setSettings(update);
      ui.getState().notify("Settings saved: the console reconnected with them.");
      onDone();
    } catch (error) {
      setSubmitError(toApiError(error).message);
    } finally {
      setSaving(false);
    }
  };

  const useDemo = () =>
    ui.getState().askToConfirm({
      title: "Use the demo?",
      message: "The saved connection settings are set aside and the console runs on the embedded demo again.",
      confirmLabel: "Use the demo",
      onConfirm: async () => {
        try {
          await transport.api.setSettings({ useDemo: true });
          ui.getState().notify("Running on the embedded demo.");
          onDone();
        } catch (error) {
          setSubmitError(toApiError(error).message);
        }
      },
    });

  const field = (name: Field, label: string, input: (props: { id: string; "aria-invalid"?: boolean; "aria-describedby"?: string }) => ReactNode, hint?: string) => {
    const inputId = `${id}-${name}`;
    return (
      <div className="settings-field" key={name}>
        <label htmlFor={inputId}>{label}</label>
        {input({ id: inputId, "aria-invalid": errors[name] ? true : undefined, "aria-describedby": errors[name] || hint ? `${inputId}-note` : undefined })}
        {(errors[name] ?? hint) && (
          <span id={`${inputId}-note`} className={errors[name] ? "field-error" : "field-hint"}>
            {errors[name] ?? hint}
          </span>
        )}
      </div>
    );
  };
  const text = (name: Exclude<Field, "mode" | "neutraliseFormulas" | "bom">, label: string, options: { type?: string; placeholder?: string; hint?: string } = {}) =>
    field(
      name,
      label,
      (props) => <input {...props} type={options.type ?? "text"} value={values[name]} placeholder={options.placeholder} autoComplete="off" onChange={(e) => set(name, e.target.value)} />,
      options.hint,
    );
  const keep = (saved: string | undefined) => (view.configured && saved ? `saved: ${saved} — blank keeps it` : undefined);

  return (
    <form className="settings-form" onSubmit={(event) => void save(event)} noValidate>
      <p className="settings-status">
        {view.configured ? "Connected with your saved settings." : "Running on the embedded demo: enter your connections to use real data."}{" "}
        {view.secretsEncrypted ? "Secrets are stored encrypted by the system keychain." : "This system has no keychain: secrets cannot be saved."}
      </p>
      <fieldset>
        <legend>Connections</legend>
        {text("redisUrl", "Redis URL", { placeholder: view.configured ? view.redisUrl : "redis://host:6379", hint: keep(view.redisUrl) })}
        {text("databaseUrl", "Papermark database URL", { placeholder: view.configured ? view.databaseUrl : "postgres://user:password@host:5432/papermark", hint: keep(view.databaseUrl) })}
        {text("tinybirdHost", "Tinybird host", { placeholder: "https://api.tinybird.co" })}
        {text("tinybirdToken", "Tinybird token", { type: "password", hint: view.configured && view.tinybirdTokenSet ? "saved — blank keeps it" : undefined })}
      </fieldset>
      <fieldset>
        <legend>Exports</legend>
        {field("mode", "Tinybird queries", (props) => (
          <select {...props} value={values.mode} onChange={(e) => set("mode", e.target.value === "batch" ? "batch" : "per-view")}>
            <option value="per-view">Per view (as Papermark)</option>
            <option value="batch">Batch (same CSV, fewer calls)</option>
          </select>
        ))}
        {text("maxConcurrent", "Tinybird requests in flight", { type: "number" })}
        {text("minTime", "Minimum ms between requests", { type: "number" })}
        {text("concurrency", "Exports at once", { type: "number" })}
        {text("timeoutMinutes", "Time limit per export (minutes)", { type: "number" })}
        {text("attempts", "Attempts", { type: "number" })}
        {text("backoffMs", "First retry after (ms)", { type: "number" })}
        {text("ttlDays", "Keep jobs for (days)", { type: "number" })}
        <label className="checkbox">
          <input type="checkbox" checked={values.neutraliseFormulas} onChange={(e) => set("neutraliseFormulas", e.target.checked)} />
          Neutralise spreadsheet formulas in cells
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={values.bom} onChange={(e) => set("bom", e.target.checked)} />
          Start CSV files with a UTF-8 BOM (Excel)
        </label>
      </fieldset>
      {submitError && (
        <p className="form-error" role="alert">
          {submitError}
        </p>
      )}
      <div className="dialog-buttons">
        {view.configured && (
          <button type="button" onClick={useDemo} disabled={saving}>
            Use the demo
          </button>
        )}
        <button type="button" onClick={onDone} disabled={saving}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={saving} aria-busy={saving}>
          {saving ? "Saving and reconnecting…" : "Save"}
        </button>
      </div>
    </form>
  );
}
