import { z } from "zod";
import { idSchema } from "./ids";
import { ENRICHMENT_MODES } from "./job";

const url = (protocols: string[], what: string) =>
  z
    .string()
    .trim()
    .max(2048)
    .refine((value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    }, `${what} must be a ${protocols.map((p) => `${p}//`).join(" or ")} URL`);

export const redisUrlSchema = url(["redis:", "rediss:"], "the Redis URL");
export const databaseUrlSchema = url(["postgres:", "postgresql:"], "the database URL");
export const tinybirdHostSchema = url(["http:", "https:"], "the Tinybird host");
export const tinybirdTokenSchema = z.string().trim().min(1, "the Tinybird token is missing").max(4096).regex(/^\S+$/, "the Tinybird token has white space");

/*
 * Each limit and default is written once, here; the engine's classes parse their options
 * with these schemas (parseInput) and take their defaults from DEFAULT_SETTINGS.
 */

/** The Tinybird limit shared by every runner. */
export const limiterSettingsSchema = z
  .object({
    maxConcurrent: z.number().int().min(1).max(1000).default(5),
    minTime: z.number().int().min(0).max(60_000).default(200),
  })
  .strict();

export const runnerSettingsSchema = z
  .object({
    concurrency: z.number().int().min(1).max(64).default(2),
    timeoutMs: z.number().int().min(1000).max(86_400_000).default(15 * 60 * 1000),
    attempts: z.number().int().min(1).max(20).default(3),
    backoffMs: z.number().int().min(0).max(3_600_000).default(5000),
    /** How long a runner's claim on a job lasts without renewal: a crashed runner's job is taken over after about this long. */
    lockDurationMs: z.number().int().min(1000).max(600_000).default(30_000),
  })
  .strict();

export const csvSettingsSchema = z.object({ neutraliseFormulas: z.boolean().default(true), bom: z.boolean().default(false) }).strict();

/** Time limit of one Tinybird request; a dead runner's limiter slots free up shortly after it. */
export const tinybirdTimeoutMsSchema = z.number().int().min(1000).max(300_000).default(30_000);

/** Job record lifetime, refreshed on every write. */
export const jobTtlSecondsSchema = z.number().int().min(60).max(365 * 24 * 3600).default(7 * 24 * 3600);

/**
 * How exports read Tinybird: one of the enrichment modes, or `auto` (sql when the token may
 * run SQL on the Query API, else batch, else per-view). All give the same CSV.
 */
export const EXPORT_MODES = [...ENRICHMENT_MODES, "auto"] as const;
export const exportModeSchema = z.enum(EXPORT_MODES);
export type ExportMode = z.infer<typeof exportModeSchema>;
export const DEFAULT_EXPORT_MODE: ExportMode = "auto";

/**
 * Everything a runner needs. The desktop app keeps it in its data folder (secrets encrypted
 * with safeStorage); headless commands read it from the environment.
 */
export const settingsSchema = z
  .object({
    redisUrl: redisUrlSchema,
    databaseUrl: databaseUrlSchema,
    tinybirdHost: tinybirdHostSchema,
    tinybirdToken: tinybirdTokenSchema,
    mode: exportModeSchema.default(DEFAULT_EXPORT_MODE),
    tinybirdTimeoutMs: tinybirdTimeoutMsSchema,
    limiter: limiterSettingsSchema.prefault({}),
    runner: runnerSettingsSchema.prefault({}),
    jobTtlSeconds: jobTtlSecondsSchema,
    csv: csvSettingsSchema.prefault({}),
  })
  .strict();

export type Settings = z.infer<typeof settingsSchema>;
export type LimiterSettings = Settings["limiter"];
export type RunnerSettings = Settings["runner"];
export type CsvSettings = Settings["csv"];

/** Every default that needs no site-specific value (URLs and the token have none). */
export const DEFAULT_SETTINGS = {
  limiter: limiterSettingsSchema.parse({}),
  runner: runnerSettingsSchema.parse({}),
  csv: csvSettingsSchema.parse({}),
  tinybirdTimeoutMs: tinybirdTimeoutMsSchema.parse(undefined),
  jobTtlSeconds: jobTtlSecondsSchema.parse(undefined),
} as const;

/** Tinybird's public API host, when none is configured. */
export const DEFAULT_TINYBIRD_HOST = "https://api.tinybird.co";

/** Setting names whose values are secrets (never sent back to a renderer in clear). */
export const SECRET_SETTINGS = ["tinybirdToken", "databaseUrl", "redisUrl"] as const;
export type SecretSetting = (typeof SECRET_SETTINGS)[number];

/** One API token of the headless server: the user it acts as and the teams it may see. */
export const apiTokenSchema = z.object({ userId: idSchema, teams: z.array(idSchema).min(1) }).strict();
export const apiTokensSchema = z.record(z.string().min(16, "API tokens must be at least 16 characters"), apiTokenSchema);
export type ApiTokens = z.infer<typeof apiTokensSchema>;
