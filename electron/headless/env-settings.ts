import { DEFAULT_REQUEST_LIMIT, type RequestLimit } from "./server/request-limit";
import { z } from "zod";
import { AppError } from "../../shared/errors";
import { apiTokensSchema, settingsSchema, type ApiTokens, type Settings } from "../../shared/settings";

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  if (!/^\d+$/.test(raw.trim())) throw new AppError("BAD_INPUT", `${name} must be a whole number, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

function flag(env: Env, name: string): boolean | undefined {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === "") return undefined;
  if (["1", "true", "yes", "on"].includes(raw)) return true;
  if (["0", "false", "no", "off"].includes(raw)) return false;
  throw new AppError("BAD_INPUT", `${name} must be true or false, got ${JSON.stringify(env[name])}`);
}

const ENV_NAMES: Record<string, string> = {
  redisUrl: "REDIS_URL",
  databaseUrl: "DATABASE_URL",
  tinybirdHost: "TINYBIRD_HOST",
  tinybirdToken: "TINYBIRD_TOKEN",
  mode: "EXPORT_MODE",
  tinybirdTimeoutMs: "TINYBIRD_TIMEOUT_MS",
  "limiter.maxConcurrent": "LIMIT_MAX_CONCURRENT",
  "limiter.minTime": "LIMIT_MIN_TIME",
  "runner.concurrency": "RUNNER_CONCURRENCY",
  "runner.timeoutMs": "EXPORT_TIMEOUT_MS",
  "runner.attempts": "EXPORT_ATTEMPTS",
  "runner.backoffMs": "EXPORT_BACKOFF_MS",
  "runner.lockDurationMs": "RUNNER_LOCK_MS",
  jobTtlSeconds: "JOB_TTL_SECONDS",
};

export function describeSettingsError(error: z.ZodError, names: Record<string, string> = ENV_NAMES): string {
  return error.issues
    .map((issue) => {
      const key = issue.path.map(String).join(".");
      const name = names[key] ?? key;
      return issue.code === "invalid_type" && issue.input === undefined ? `${name} is not set` : `${name}: ${issue.message}`;
    })
    .join("; ");
}

/** Settings of a headless process, from the environment; a clear error names what is wrong. */
export function settingsFromEnv(env: Env = process.env): Settings {
  const limiter = { maxConcurrent: integer(env, "LIMIT_MAX_CONCURRENT"), minTime: integer(env, "LIMIT_MIN_TIME") };
  const runner = {
    concurrency: integer(env, "RUNNER_CONCURRENCY"),
    timeoutMs: integer(env, "EXPORT_TIMEOUT_MS"),
    attempts: integer(env, "EXPORT_ATTEMPTS"),
    backoffMs: integer(env, "EXPORT_BACKOFF_MS"),
    lockDurationMs: integer(env, "RUNNER_LOCK_MS"),
  };
  const candidate = {
    redisUrl: env.REDIS_URL,
    databaseUrl: env.DATABASE_URL,
    tinybirdHost: env.TINYBIRD_HOST,
    tinybirdToken: env.TINYBIRD_TOKEN,
    mode: env.EXPORT_MODE || undefined,
    tinybirdTimeoutMs: integer(env, "TINYBIRD_TIMEOUT_MS"),
    limiter: JSON.parse(JSON.stringify(limiter)) as object,
    runner: JSON.parse(JSON.stringify(runner)) as object,
    jobTtlSeconds: integer(env, "JOB_TTL_SECONDS"),
    csv: JSON.parse(JSON.stringify({ neutraliseFormulas: flag(env, "CSV_NEUTRALISE"), bom: flag(env, "CSV_BOM") })) as object,
  };
  const parsed = settingsSchema.safeParse(candidate);
  if (!parsed.success) throw new AppError("BAD_INPUT", `configuration: ${describeSettingsError(parsed.error)}`);
  return parsed.data;
}

/** API_TOKENS = JSON {"<token>": {"userId": "...", "teams": ["..."]}}. */
export function apiTokensFromEnv(env: Env = process.env): ApiTokens {
  const raw = env.API_TOKENS;
  if (!raw) throw new AppError("BAD_INPUT", 'API_TOKENS is not set (JSON: {"<token>": {"userId": "...", "teams": ["..."]}})');
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new AppError("BAD_INPUT", "API_TOKENS is not valid JSON");
  }
  const parsed = apiTokensSchema.safeParse(json);
  if (!parsed.success) throw new AppError("BAD_INPUT", `API_TOKENS: ${describeSettingsError(parsed.error, {})}`);
  return parsed.data;
}

/** API_REQUESTS_PER_MINUTE: the per-token request limit of `serve` (default DEFAULT_REQUEST_LIMIT). */
export function apiRequestLimitFromEnv(env: Env = process.env): RequestLimit {
  const requests = integer(env, "API_REQUESTS_PER_MINUTE");
  if (requests === undefined) return DEFAULT_REQUEST_LIMIT;
  if (requests < 1) throw new AppError("BAD_INPUT", "API_REQUESTS_PER_MINUTE must be at least 1");
  return { requests, perMs: 60_000 };
}
