import type { z } from "zod";
import { settingsUpdateSchema, type SettingsUpdate, type SettingsView } from "../../../shared/contract";
import { DEFAULT_EXPORT_MODE, EXPORT_MODES, exportModeSchema, limiterSettingsSchema, runnerSettingsSchema, SECRET_SETTINGS, settingsSchema, type ExportMode, type SecretSetting, type Settings } from "../../../shared/settings";

/** The settings form as typed: text for every input (numbers are checked on save). */
export interface SettingsFormValues {
  redisUrl: string;
  databaseUrl: string;
  tinybirdHost: string;
  tinybirdToken: string;
  mode: Settings["mode"];
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

/** How the export modes are named in the settings dialog: a short name and what it means. */
export const EXPORT_MODE_LABELS: Record<ExportMode, { name: string; meaning: string }> = {
  auto: { name: "Auto", meaning: "SQL when the token may, else batch, else per view" },
  sql: { name: "SQL", meaning: "Query API: a few Tinybird calls per export" },
  batch: { name: "Batch", meaning: "batch pipe: fewer Tinybird calls" },
  "per-view": { name: "Per view", meaning: "Papermark's way" },
};
export const EXPORT_MODE_OPTIONS = EXPORT_MODES.map((mode) => ({ value: mode, label: `${EXPORT_MODE_LABELS[mode].name} (${EXPORT_MODE_LABELS[mode].meaning})` }));

/** The mode a select's value stands for (anything unknown: the default). */
export function exportModeOf(value: string): ExportMode {
  const parsed = exportModeSchema.safeParse(value);
  return parsed.success ? parsed.data : DEFAULT_EXPORT_MODE;
}

export type SettingsField = keyof SettingsFormValues;
export type SettingsErrors = Partial<Record<SettingsField, string>>;

/** The connections the store needs before it can leave the demo. */
export const CONNECTION_FIELDS = ["redisUrl", "databaseUrl", "tinybirdHost", "tinybirdToken"] as const;

const shape = settingsSchema.shape;
const limiterShape = limiterSettingsSchema.shape;
const runnerShape = runnerSettingsSchema.shape;

const MINUTE_MS = 60_000;
const DAY_S = 86_400;

/** A number field: its schema piece, and how a typed value becomes the setting's unit. */
interface NumberField {
  schema: z.ZodType<number>;
  /** The setting's unit per unit typed (minutes -> ms: 60000). Scaled values are rounded. */
  scale: number;
  /** How a bound of the setting reads in a message. */
  bound: (value: number) => string;
}

const plain = (value: number) => String(value);
const asDurationMs = (ms: number) => formatDuration(ms);
const asDurationS = (seconds: number) => formatDuration(seconds * 1000);

const NUMBER_FIELDS = {
  maxConcurrent: { schema: limiterShape.maxConcurrent, scale: 1, bound: plain },
  minTime: { schema: limiterShape.minTime, scale: 1, bound: plain },
  concurrency: { schema: runnerShape.concurrency, scale: 1, bound: plain },
  timeoutMinutes: { schema: runnerShape.timeoutMs, scale: MINUTE_MS, bound: asDurationMs },
  attempts: { schema: runnerShape.attempts, scale: 1, bound: plain },
  backoffMs: { schema: runnerShape.backoffMs, scale: 1, bound: plain },
  ttlDays: { schema: shape.jobTtlSeconds, scale: DAY_S, bound: asDurationS },
} satisfies Record<string, NumberField>;
type NumberFieldName = keyof typeof NUMBER_FIELDS;

/** "1 second", "24 hours", "365 days": a duration bound in words. */
export function formatDuration(ms: number): string {
  const units: [number, string][] = [
    [DAY_S * 1000, "day"],
    [3_600_000, "hour"],
    [MINUTE_MS, "minute"],
    [1000, "second"],
  ];
  for (const [size, name] of units) {
    const count = ms / size;
    if (ms >= size && Number.isInteger(count) && !(name === "day" && count < 2)) return `${count} ${name}${count === 1 ? "" : "s"}`;
  }
  return `${ms} ms`;
}

/** The plain (not secret) settings as they are now, schema defaults filling what the view leaves out. */
function currentPlain(view: SettingsView) {
  const v = view.values;
  const orDefault = <T>(schema: z.ZodType<T>, value: unknown): T => {
    const parsed = schema.safeParse(value);
    return parsed.success ? parsed.data : schema.parse(undefined);
  };
  return {
    tinybirdHost: v.tinybirdHost,
    mode: orDefault(shape.mode, v.mode),
    limiter: orDefault(shape.limiter, v.limiter),
    runner: orDefault(shape.runner, v.runner),
    jobTtlSeconds: orDefault(shape.jobTtlSeconds, v.jobTtlSeconds),
    csv: orDefault(shape.csv, v.csv),
  };
}

/**
 * What the form shows first. Secrets are always blank (they are never sent to the window);
 * on the demo the Tinybird host is blank too (the demo's is a local emulator).
 */
export function initialFormValues(view: SettingsView): SettingsFormValues {
  const now = currentPlain(view);
  return {
    redisUrl: "",
    databaseUrl: "",
    tinybirdHost: view.configured ? (now.tinybirdHost ?? "") : "",
    tinybirdToken: "",
    mode: now.mode,
    maxConcurrent: String(now.limiter.maxConcurrent),
    minTime: String(now.limiter.minTime),
    concurrency: String(now.runner.concurrency),
    timeoutMinutes: String(now.runner.timeoutMs / MINUTE_MS),
    attempts: String(now.runner.attempts),
    backoffMs: String(now.runner.backoffMs),
    ttlDays: String(now.jobTtlSeconds / DAY_S),
    neutraliseFormulas: now.csv.neutraliseFormulas,
    bom: now.csv.bom,
  };
}

/** A zod issue of a number setting in the words of its field. */
function numberMessage(field: NumberField, issue: z.core.$ZodIssue): string {
  if (issue.code === "too_small") return `must be at least ${field.bound(Number(issue.minimum))}`;
  if (issue.code === "too_big") return `must be at most ${field.bound(Number(issue.maximum))}`;
  return field.scale === 1 ? "must be a whole number" : "must be a number";
}

function checkNumber(name: NumberFieldName, text: string): { value: number } | { error: string } {
  const field: NumberField = NUMBER_FIELDS[name];
  const typed = text.trim();
  const number = typed === "" ? Number.NaN : Number(typed);
  if (!Number.isFinite(number)) return { error: "enter a number" };
  const parsed = field.schema.safeParse(field.scale === 1 ? number : Math.round(number * field.scale));
  if (parsed.success) return { value: parsed.data };
  return { error: parsed.error.issues[0] ? numberMessage(field, parsed.error.issues[0]) : "is not allowed" };
}

export type SettingsCheck = { ok: true; update: SettingsUpdate; changed: boolean } | { ok: false; errors: SettingsErrors; formError?: string };

/**
 * Checks the form with the shared schema pieces and builds the update to send: on the demo
 * (nothing saved yet) every connection is required and everything is sent; once configured,
 * only the settings that changed, and a secret only when one was typed (blank keeps it).
 */
export function checkSettingsForm(view: SettingsView, values: SettingsFormValues): SettingsCheck {
  const errors: SettingsErrors = {};
  const first = !view.configured;

  // The saved values of these never come back to the window: blank keeps them.
  const secrets: Partial<Record<SecretSetting, string>> = {};
  for (const name of SECRET_SETTINGS) {
    if (values[name].trim() === "") {
      if (first) errors[name] = "required to leave the demo";
      continue;
    }
    const parsed = shape[name].safeParse(values[name]);
    if (parsed.success) secrets[name] = parsed.data;
    else errors[name] = parsed.error.issues[0]?.message ?? "is not valid";
  }

  let tinybirdHost: string | undefined;
  if (values.tinybirdHost.trim() === "") {
    errors.tinybirdHost = first ? "required to leave the demo" : "the Tinybird host is required";
  } else {
    const parsed = shape.tinybirdHost.safeParse(values.tinybirdHost);
    if (parsed.success) tinybirdHost = parsed.data;
    else errors.tinybirdHost = parsed.error.issues[0]?.message ?? "is not valid";
  }

  const numbers: Partial<Record<NumberFieldName, number>> = {};
  for (const name of Object.keys(NUMBER_FIELDS) as NumberFieldName[]) {
    const checked = checkNumber(name, values[name]);
    if ("value" in checked) numbers[name] = checked.value;
    else errors[name] = checked.error;
  }

  if (Object.keys(errors).length > 0 || tinybirdHost === undefined) return { ok: false, errors };
  const n = numbers as Record<NumberFieldName, number>;
  const now = currentPlain(view);
  const next = {
    tinybirdHost,
    mode: values.mode,
    limiter: { maxConcurrent: n.maxConcurrent, minTime: n.minTime },
    // The runner's lock duration has no field here: it keeps its saved value.
    runner: { ...now.runner, concurrency: n.concurrency, timeoutMs: n.timeoutMinutes, attempts: n.attempts, backoffMs: n.backoffMs },
    jobTtlSeconds: n.ttlDays,
    csv: { neutraliseFormulas: values.neutraliseFormulas, bom: values.bom },
  };

  const update: Record<string, unknown> = {};
  for (const key of Object.keys(next) as (keyof typeof next)[]) {
    // Nested groups go whole: the store merges settings one level deep.
    if (first || JSON.stringify(next[key]) !== JSON.stringify(now[key])) update[key] = next[key];
  }
  Object.assign(update, secrets);

  // A last check of the whole update against the contract. Its parsed form is not sent: it
  // carries schema defaults for every omitted setting, and omitted must stay omitted.
  const parsed = settingsUpdateSchema.safeParse(update);
  if (!parsed.success) return { ok: false, errors: {}, formError: `the settings are not valid: ${parsed.error.issues[0]?.message ?? "unknown problem"}` };
  return { ok: true, update: update as SettingsUpdate, changed: Object.keys(update).length > 0 };
}
