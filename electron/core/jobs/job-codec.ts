import { z } from "zod";
import { exportJobSchema, exportJobSummarySchema, type ExportJob, type ExportJobSummary } from "../../../shared/job";

/** Fields a listing reads (HMGET): everything but `result`, which can be megabytes. */
export const SUMMARY_FIELDS = [
  "id",
  "type",
  "status",
  "resourceId",
  "resourceName",
  "groupId",
  "error",
  "userId",
  "teamId",
  "createdAt",
  "updatedAt",
  "completedAt",
  "progress",
  "total",
  "attempts",
  "cancelRequested",
  "since",
  "until",
  "profile",
  "startedAt",
  "mode",
  "modeReason",
  "tinybirdCalls",
  "rows",
  "bytes",
  "warnings",
] as const;

const NUMERIC_FIELDS = new Set(["progress", "total", "attempts", "tinybirdCalls", "rows", "bytes"]);
const BOOLEAN_FIELDS = new Set(["cancelRequested"]);
/** Fields kept as JSON text in a hash (arrays). */
const JSON_FIELDS = new Set(["warnings"]);

/** ExportJob -> flat HSET arguments. Absent optional fields are simply not written. */
export function encodeFields(fields: Partial<ExportJob>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    out[name] = typeof value === "string" ? value : JSON_FIELDS.has(name) ? JSON.stringify(value) : String(value);
  }
  return out;
}

type RawFields = Record<string, string | null | undefined>;

/** Hash fields (all strings) -> candidate object for validation. */
function fromHashStrings(raw: RawFields): Record<string, unknown> {
  const candidate: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === null || value === undefined) continue;
    if (NUMERIC_FIELDS.has(name)) candidate[name] = /^\d+$/.test(value) ? Number(value) : value;
    else if (BOOLEAN_FIELDS.has(name)) candidate[name] = value === "true" ? true : value === "false" ? false : value;
    else if (JSON_FIELDS.has(name)) candidate[name] = parseJsonOr(value);
    else candidate[name] = value;
  }
  return candidate;
}

/** The parsed value, or the text itself (validation then reports it). */
function parseJsonOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** JSON record written by the web app -> candidate object (nulls mean absent). */
function fromJsonObject(parsed: unknown): Record<string, unknown> {
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new Error("the JSON value is not an object");
  }
  const candidate: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (value !== null) candidate[name] = value;
  }
  return candidate;
}

function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join(".") || "record"}: ${issue.message}`)
    .join("; ");
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string };

export function decodeHashJob(raw: RawFields): Decoded<ExportJob> {
  const parsed = exportJobSchema.safeParse(fromHashStrings(raw));
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, reason: describe(parsed.error) };
}

export function decodeHashSummary(raw: RawFields): Decoded<ExportJobSummary> {
  const parsed = exportJobSummarySchema.safeParse(fromHashStrings(raw));
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, reason: describe(parsed.error) };
}

function decodeJson<T>(text: string, schema: z.ZodType<T>): Decoded<T> {
  let candidate: Record<string, unknown>;
  try {
    candidate = fromJsonObject(JSON.parse(text));
  } catch (error) {
    return { ok: false, reason: `not a JSON job record (${error instanceof Error ? error.message : String(error)})` };
  }
  const parsed = schema.safeParse(candidate);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, reason: describe(parsed.error) };
}

export function decodeJsonJob(text: string): Decoded<ExportJob> {
  return decodeJson(text, exportJobSchema);
}

/** Strips the CSV from a job. */
export function summarize(job: ExportJob): ExportJobSummary {
  const { result: _result, ...summary } = job;
  return summary;
}

/** A summary row as the summaries script returns it (fields in SUMMARY_FIELDS order). */
export function decodeSummaryRow(values: readonly (string | null)[]): Decoded<ExportJobSummary> {
  const raw: RawFields = {};
  SUMMARY_FIELDS.forEach((name, index) => {
    raw[name] = values[index] ?? null;
  });
  return decodeHashSummary(raw);
}
