import { describe, expect, it } from "vitest";
import { settingsFromEnv } from "../../electron/headless/env-settings";
import { DEFAULT_EXPORT_MODE, DEFAULT_SETTINGS } from "../../shared/settings";

const REQUIRED = {
  REDIS_URL: "redis://127.0.0.1:6390",
  DATABASE_URL: "postgres://postgres@127.0.0.1:5432/visits",
  TINYBIRD_HOST: "http://127.0.0.1:7181",
  TINYBIRD_TOKEN: "tb_token",
};

describe("settingsFromEnv", () => {
  it("with only the four required variables, every other setting is the default", () => {
    expect(settingsFromEnv(REQUIRED)).toEqual({
      redisUrl: REQUIRED.REDIS_URL,
      databaseUrl: REQUIRED.DATABASE_URL,
      tinybirdHost: REQUIRED.TINYBIRD_HOST,
      tinybirdToken: REQUIRED.TINYBIRD_TOKEN,
      mode: DEFAULT_EXPORT_MODE,
      ...DEFAULT_SETTINGS,
    });
  });

  it("empty variables count as unset", () => {
    expect(settingsFromEnv({ ...REQUIRED, EXPORT_MODE: "", LIMIT_MIN_TIME: "", CSV_BOM: "" })).toEqual(settingsFromEnv(REQUIRED));
  });

  it("reads each variable into its setting", () => {
    const settings = settingsFromEnv({
      ...REQUIRED,
      EXPORT_MODE: "batch",
      TINYBIRD_TIMEOUT_MS: "4000",
      LIMIT_MAX_CONCURRENT: "3",
      LIMIT_MIN_TIME: "50",
      RUNNER_CONCURRENCY: "4",
      EXPORT_TIMEOUT_MS: "60000",
      EXPORT_ATTEMPTS: "2",
      EXPORT_BACKOFF_MS: "100",
      RUNNER_LOCK_MS: "5000",
      JOB_TTL_SECONDS: "3600",
      CSV_NEUTRALISE: "off",
      CSV_BOM: "yes",
    });
    expect(settings).toEqual({
      redisUrl: REQUIRED.REDIS_URL,
      databaseUrl: REQUIRED.DATABASE_URL,
      tinybirdHost: REQUIRED.TINYBIRD_HOST,
      tinybirdToken: REQUIRED.TINYBIRD_TOKEN,
      mode: "batch",
      tinybirdTimeoutMs: 4000,
      limiter: { maxConcurrent: 3, minTime: 50 },
      runner: { concurrency: 4, timeoutMs: 60_000, attempts: 2, backoffMs: 100, lockDurationMs: 5000 },
      jobTtlSeconds: 3600,
      csv: { neutraliseFormulas: false, bom: true },
    });
  });

  it("names each missing required variable", () => {
    expect(() => settingsFromEnv({})).toThrow(
      expect.objectContaining({
        code: "BAD_INPUT",
        message: expect.stringMatching(/REDIS_URL is not set.*DATABASE_URL is not set.*TINYBIRD_HOST is not set.*TINYBIRD_TOKEN is not set/),
      }),
    );
  });

  it.each([
    [{ REDIS_URL: "http://127.0.0.1:6379" }, /REDIS_URL: the Redis URL must be a redis:\/\/ or rediss:\/\/ URL/],
    [{ DATABASE_URL: "mysql://x" }, /DATABASE_URL: the database URL must be a postgres:/],
    [{ TINYBIRD_HOST: "api.tinybird.co" }, /TINYBIRD_HOST: the Tinybird host must be a http:/],
    [{ TINYBIRD_TOKEN: "tb token" }, /TINYBIRD_TOKEN: the Tinybird token has white space/],
    [{ LIMIT_MAX_CONCURRENT: "five" }, /LIMIT_MAX_CONCURRENT must be a whole number, got "five"/],
    [{ EXPORT_TIMEOUT_MS: "1.5" }, /EXPORT_TIMEOUT_MS must be a whole number, got "1.5"/],
    [{ EXPORT_ATTEMPTS: "-1" }, /EXPORT_ATTEMPTS must be a whole number, got "-1"/],
    [{ CSV_BOM: "maybe" }, /CSV_BOM must be true or false, got "maybe"/],
    [{ EXPORT_MODE: "fast" }, /EXPORT_MODE: .*"auto"/],
    [{ EXPORT_ATTEMPTS: "0" }, /EXPORT_ATTEMPTS: .*1/],
    [{ LIMIT_MAX_CONCURRENT: "0" }, /LIMIT_MAX_CONCURRENT: .*1/],
    [{ RUNNER_LOCK_MS: "10" }, /RUNNER_LOCK_MS: .*1000/],
    [{ JOB_TTL_SECONDS: "5" }, /JOB_TTL_SECONDS: .*60/],
    [{ TINYBIRD_TIMEOUT_MS: "999999999" }, /TINYBIRD_TIMEOUT_MS: .*300000/],
  ])("refuses %o with a clear error", (bad, message) => {
    expect(() => settingsFromEnv({ ...REQUIRED, ...bad })).toThrow(expect.objectContaining({ code: "BAD_INPUT", message: expect.stringMatching(message) }));
  });
});
