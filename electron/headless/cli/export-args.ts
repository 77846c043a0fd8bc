import { parseArgs } from "node:util";
import { z } from "zod";
import { idSchema } from "../../../shared/ids";
import { isoDateSchema, rangeError } from "../../../shared/date-range";
import { CSV_PROFILES, JOB_TYPES } from "../../../shared/job";
import {
  databaseUrlSchema,
  DEFAULT_EXPORT_MODE,
  DEFAULT_SETTINGS,
  DEFAULT_TINYBIRD_HOST,
  limiterSettingsSchema,
  EXPORT_MODES,
  type ExportMode,
  redisUrlSchema,
  tinybirdHostSchema,
  tinybirdTokenSchema,
} from "../../../shared/settings";
import type { CsvOptions } from "../../core/csv/csv-writer";
import { exportRequest, type ExportRequest } from "../../core/export/export-visits";

/*
 * Command-line arguments of `npm run export`, parsed and validated without any I/O: the
 * environment comes in as a plain object, so every rule is testable in-process.
 */

export const EXPORT_USAGE = `Usage: npm run export -- --type document|dataroom|dataroom-group --team <teamId> --resource <id>
                         [--group <id>] --out <file.csv> [--since YYYY-MM-DD] [--until YYYY-MM-DD] [options]

Exports the visits of a Papermark document, dataroom or dataroom group to a CSV file.
The file appears at --out only when the export is complete.

  --type             document, dataroom or dataroom-group
  --team             the team that owns the resource
  --resource         the document or dataroom id
  --group            the viewer group id (required for, and only for, dataroom-group)
  --out              where to write the CSV
  --since            only views on or after this UTC day (YYYY-MM-DD)
  --until            only views on or before this UTC day (YYYY-MM-DD)
  --profile          papermark (Papermark's exact CSV, default) or spreadsheet (empty cells
                     instead of NaN, Yes/No everywhere, UTF-8 BOM)
  --mode             auto (default: sql when the token may run SQL, else batch, else per-view),
                     sql (Query API, a few calls per export), batch (batch pipe), or per-view
                     (Papermark's way); all give the same CSV (default: $EXPORT_MODE, else auto)
  --max-concurrent   Tinybird requests in flight at once (default ${DEFAULT_SETTINGS.limiter.maxConcurrent})
  --min-time         minimum ms between two Tinybird requests (default ${DEFAULT_SETTINGS.limiter.minTime})
  --database-url     Papermark's PostgreSQL (default: $DATABASE_URL)
  --tinybird-host    Tinybird API host (default: $TINYBIRD_HOST, else ${DEFAULT_TINYBIRD_HOST})
  --tinybird-token   Tinybird read token (default: $TINYBIRD_TOKEN)
  --redis-url        share the rate limit with other runners through Redis (default: $REDIS_URL)
  --no-neutralise    keep cells that start with = + - @ as they are (no CSV-injection guard)
  --bom              start the file with a UTF-8 byte order mark (for Excel)
  --help             show this help

Exit codes: 0 the CSV is complete, 1 the export failed, 2 bad arguments, 130 interrupted (Ctrl-C),
143 terminated (SIGTERM). An existing --out must be a regular file; it is replaced only when
the export is complete.`;

const OPTIONS = {
  help: { type: "boolean", short: "h" },
  type: { type: "string" },
  team: { type: "string" },
  resource: { type: "string" },
  group: { type: "string" },
  out: { type: "string" },
  since: { type: "string" },
  until: { type: "string" },
  profile: { type: "string" },
  mode: { type: "string" },
  "max-concurrent": { type: "string" },
  "min-time": { type: "string" },
  "database-url": { type: "string" },
  "tinybird-host": { type: "string" },
  "tinybird-token": { type: "string" },
  "redis-url": { type: "string" },
  "no-neutralise": { type: "boolean" },
  bom: { type: "boolean" },
} as const;

export interface ExportSettings {
  request: ExportRequest;
  outFile: string;
  mode: ExportMode;
  /** Unset values take the rate limiter's defaults. */
  rateLimit: { maxConcurrent?: number; minTime?: number };
  databaseUrl: string;
  tinybird: { host: string; token: string };
  redisUrl?: string;
  csv: CsvOptions;
}

export type ParsedExportArgs =
  | { kind: "help" }
  | { kind: "run"; settings: ExportSettings }
  /** The command line itself is wrong (exit 2). */
  | { kind: "usage-error"; message: string }
  /** The command line is fine but configuration is missing or invalid (exit 1). */
  | { kind: "config-error"; message: string };

export type Environment = Readonly<Record<string, string | undefined>>;

/** A whole-number flag within the bounds of the setting's own schema, with CLI wording. */
const wholeNumber = (setting: z.ZodDefault<z.ZodNumber>) => {
  const min = setting.unwrap().minValue ?? Number.MIN_SAFE_INTEGER;
  const max = setting.unwrap().maxValue ?? Number.MAX_SAFE_INTEGER;
  return z
    .string()
    .regex(/^-?\d+$/, { error: "must be a whole number" })
    .transform(Number)
    .pipe(z.number().min(min, { error: `must be at least ${min}` }).max(max, { error: `must be at most ${max}` }));
};

/** The settings' own check, with CLI wording. */
const checkedBy = (schema: z.ZodType, error: string) => z.string().refine((value) => schema.safeParse(value).success, { error });

const databaseUrl = checkedBy(databaseUrlSchema, "must be a URL like postgres://user:password@host:5432/db");
const tinybirdHost = checkedBy(tinybirdHostSchema, `must be a URL like ${DEFAULT_TINYBIRD_HOST}`);
const redisUrl = checkedBy(redisUrlSchema, "must be a URL like redis://host:6379");
const exportMode = z.enum(EXPORT_MODES, { error: `must be ${EXPORT_MODES.slice(0, -1).join(", ")} or ${EXPORT_MODES.at(-1)}` });
const tinybirdToken = checkedBy(tinybirdTokenSchema, "must not contain white space");

const flagsSchema = z
  .object({
    type: z.enum(JOB_TYPES, { error: "must be document, dataroom or dataroom-group" }),
    team: idSchema,
    resource: idSchema,
    group: idSchema.optional(),
    out: z.string().min(1, { error: "must not be empty" }),
    since: isoDateSchema.optional(),
    until: isoDateSchema.optional(),
    profile: z.enum(CSV_PROFILES, { error: "must be papermark or spreadsheet" }).optional(),
    mode: exportMode.optional(),
    "max-concurrent": wholeNumber(limiterSettingsSchema.shape.maxConcurrent).optional(),
    "min-time": wholeNumber(limiterSettingsSchema.shape.minTime).optional(),
    "database-url": databaseUrl.optional(),
    "tinybird-host": tinybirdHost.optional(),
    "tinybird-token": tinybirdToken.optional(),
    "redis-url": redisUrl.optional(),
    "no-neutralise": z.boolean().default(false),
    bom: z.boolean().default(false),
  })
  .superRefine((flags, ctx) => {
    const range = rangeError(flags);
    if (range) ctx.addIssue({ code: "custom", path: ["since"], message: `is after --until (${flags.until})` });
    if (flags.type === "dataroom-group" && flags.group === undefined) {
      ctx.addIssue({ code: "custom", path: ["group"], message: "is required for a dataroom-group export" });
    }
    if (flags.type !== "dataroom-group" && flags.group !== undefined) {
      ctx.addIssue({ code: "custom", path: ["group"], message: "is only allowed for a dataroom-group export" });
    }
  });

const REQUIRED_FLAGS = ["type", "team", "resource", "out"] as const;

export function parseExportArgs(argv: readonly string[], env: Environment): ParsedExportArgs {
  const joined = joinOptionValues(argv);
  if ("error" in joined) return { kind: "usage-error", message: joined.error };
  let values: Record<string, string | boolean | undefined>;
  let tokens: ReturnType<typeof parseArgs>["tokens"];
  try {
    ({ values, tokens } = parseArgs({ args: joined.args, options: OPTIONS, strict: true, allowPositionals: false, tokens: true }));
  } catch (error) {
    return { kind: "usage-error", message: describeParseError(error) };
  }
  const repeated = findRepeatedOption(tokens ?? []);
  if (repeated) return { kind: "usage-error", message: `--${repeated} is given more than once` };
  if (values.help) return { kind: "help" };
  for (const flag of REQUIRED_FLAGS) if (values[flag] === undefined) return { kind: "usage-error", message: `missing --${flag}` };

  const parsed = flagsSchema.safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { kind: "usage-error", message: `--${String(issue.path[0])} ${issue.message}` };
  }
  const flags = parsed.data;

  const fromEnv = (name: string, schema: z.ZodType<string>): { value?: string; error?: string } => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === "") return {};
    const checked = schema.safeParse(raw.trim());
    return checked.success ? { value: checked.data } : { error: `${name} ${checked.error.issues[0]!.message}` };
  };
  const envDatabase = flags["database-url"] ? {} : fromEnv("DATABASE_URL", databaseUrl);
  const envHost = flags["tinybird-host"] ? {} : fromEnv("TINYBIRD_HOST", tinybirdHost);
  const envToken = flags["tinybird-token"] ? {} : fromEnv("TINYBIRD_TOKEN", tinybirdToken);
  const envRedis = flags["redis-url"] ? {} : fromEnv("REDIS_URL", redisUrl);
  const envMode = flags.mode ? {} : fromEnv("EXPORT_MODE", exportMode);
  const envError = [envDatabase, envHost, envToken, envRedis, envMode].find((entry) => entry.error)?.error;
  if (envError) return { kind: "config-error", message: envError };

  const database = flags["database-url"] ?? envDatabase.value;
  if (!database) return { kind: "config-error", message: "no database: set DATABASE_URL or pass --database-url" };
  const token = flags["tinybird-token"] ?? envToken.value;
  if (!token) return { kind: "config-error", message: "no Tinybird token: set TINYBIRD_TOKEN or pass --tinybird-token" };
  const redis = flags["redis-url"] ?? envRedis.value;

  return {
    kind: "run",
    settings: {
      request: exportRequest({ type: flags.type, teamId: flags.team, resourceId: flags.resource, groupId: flags.group, since: flags.since, until: flags.until, profile: flags.profile }),
      outFile: flags.out,
      mode: flags.mode ?? (envMode.value as ExportMode | undefined) ?? DEFAULT_EXPORT_MODE,
      rateLimit: {
        ...(flags["max-concurrent"] !== undefined ? { maxConcurrent: flags["max-concurrent"] } : {}),
        ...(flags["min-time"] !== undefined ? { minTime: flags["min-time"] } : {}),
      },
      databaseUrl: database,
      tinybird: { host: flags["tinybird-host"] ?? envHost.value ?? DEFAULT_TINYBIRD_HOST, token },
      ...(redis ? { redisUrl: redis } : {}),
      csv: { neutraliseFormulas: !flags["no-neutralise"], bom: flags.bom },
    },
  };
}

/**
 * Binds each value option to the word after it as `--name=value`, so `--max-concurrent -1`
 * reaches the range check (node:util calls a value starting with "-" ambiguous) while
 * `--out --bom` still says the value is missing.
 */
function joinOptionValues(argv: readonly string[]): { args: string[] } | { error: string } {
  const args: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    const name = arg.startsWith("--") && !arg.includes("=") ? arg.slice(2) : "";
    if (!(name in OPTIONS) || OPTIONS[name as keyof typeof OPTIONS].type !== "string") {
      args.push(arg);
      continue;
    }
    const value = argv[index + 1];
    if (value === undefined || (value.startsWith("-") && !/^-\d/.test(value))) return { error: `--${name} needs a value` };
    args.push(`${arg}=${value}`);
    index++;
  }
  return { args };
}

/** The last of two values would win silently (`--out a.csv --out b.csv`): refuse instead. */
function findRepeatedOption(tokens: NonNullable<ReturnType<typeof parseArgs>["tokens"]>): string | undefined {
  const seen = new Set<string>();
  for (const token of tokens) {
    if (token.kind !== "option") continue;
    if (seen.has(token.name)) return token.name;
    seen.add(token.name);
  }
  return undefined;
}

/** node:util's messages, cut to their first sentence ("Unknown option '--x'"). */
function describeParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const first = message.split(/\.\s/)[0]!.replace(/\.$/, "");
  return first.charAt(0).toLowerCase() + first.slice(1);
}
